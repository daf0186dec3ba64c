/**
 * Reading deliveries and their attempts, the dead-letter queue, and the
 * operator's levers: retry one delivery now, and take a dead letter out of
 * the queue for another round of the schedule. Tenant-scoped: another
 * tenant's id is a 404.
 */
import type { Page } from '@clinicbridge/sdk/contract';
import type { Kysely, Selectable } from 'kysely';
import type { DB } from '../db/schema.ts';
import { auditChange, type ChangeContext } from '../kernel/change.ts';
import { newestFirst } from '../kernel/newest-first.ts';
import { decodeCursor, toPage } from '../kernel/pagination.ts';
import { ApiError } from '../kernel/problem.ts';
import { notInFlight, restartedSchedule } from './restart.ts';
import type { DeliveriesTable, DeliveryAttemptsTable, DeliveryStatus } from './schema.ts';

/**
 * A delivery attempt as the API shows it.
 *
 * @example
 * const [first]: DeliveryAttemptView[] = (await getDelivery(db, tenantId, id)).attempts ?? [];
 */
export interface DeliveryAttemptView {
  id: `att_${string}`;
  attemptedAt: string;
  responseStatus: number | null;
  latencyMs: number;
  error: string | null;
  responseSnippet: string | null;
}

/**
 * A delivery as the API shows it.
 *
 * @example
 * const delivery: DeliveryView = await getDelivery(db, tenantId, 'dlv_…');
 */
export interface DeliveryView {
  id: `dlv_${string}`;
  eventId: `evt_${string}`;
  eventType: string;
  endpointId: `whep_${string}`;
  status: DeliveryStatus;
  attemptCount: number;
  nextAttemptAt: string | null;
  lastAttemptAt: string | null;
  createdAt: string;
  attempts?: DeliveryAttemptView[];
}

type DeliveryRow = Selectable<DeliveriesTable>;

function toAttemptView(row: Selectable<DeliveryAttemptsTable>): DeliveryAttemptView {
  return {
    id: row.id as `att_${string}`,
    attemptedAt: row.attempted_at.toISOString(),
    responseStatus: row.response_status,
    latencyMs: row.latency_ms,
    error: row.error,
    responseSnippet: row.response_snippet,
  };
}

/**
 * The API view of a delivery, with its attempts when given.
 *
 * @example
 * toDeliveryView(row, attempts);
 */
export function toDeliveryView(
  row: DeliveryRow,
  attempts?: Selectable<DeliveryAttemptsTable>[],
): DeliveryView {
  return {
    id: row.id as `dlv_${string}`,
    eventId: row.event_id as `evt_${string}`,
    eventType: row.event_type,
    endpointId: row.endpoint_id as `whep_${string}`,
    status: row.status,
    attemptCount: row.attempt_count,
    nextAttemptAt:
      row.status === 'pending' || row.status === 'failed'
        ? (row.next_attempt_at?.toISOString() ?? null)
        : null,
    lastAttemptAt: row.last_attempt_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    ...(attempts ? { attempts: attempts.map(toAttemptView) } : {}),
  };
}

async function attemptsOf(
  db: Kysely<DB>,
  ids: string[],
): Promise<Map<string, Selectable<DeliveryAttemptsTable>[]>> {
  const byDelivery = new Map<string, Selectable<DeliveryAttemptsTable>[]>(
    ids.map((id) => [id, []]),
  );
  if (ids.length === 0) return byDelivery;
  const rows = await db
    .selectFrom('delivery_attempts')
    .selectAll()
    .where('delivery_id', 'in', ids)
    .orderBy('attempted_at', 'asc')
    .orderBy('id', 'asc')
    .execute();
  for (const row of rows) byDelivery.get(row.delivery_id)?.push(row);
  return byDelivery;
}

async function findDelivery(db: Kysely<DB>, tenantId: string, id: string): Promise<DeliveryRow> {
  const row = await db
    .selectFrom('deliveries')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw new ApiError('not_found', `No delivery ${id} in this tenant.`);
  return row;
}

/**
 * A delivery with every attempt.
 *
 * @example
 * const delivery = await getDelivery(db, tenantId, 'dlv_…');
 */
export async function getDelivery(
  db: Kysely<DB>,
  tenantId: string,
  id: string,
): Promise<DeliveryView> {
  const row = await findDelivery(db, tenantId, id);
  return toDeliveryView(row, (await attemptsOf(db, [row.id])).get(row.id) ?? []);
}

type ListQuery = { limit?: number | undefined; cursor?: string | undefined };

/**
 * The deliveries of one event, newest first, with their attempts.
 *
 * @example
 * const page = await listEventDeliveries(db, tenantId, 'evt_…', {});
 */
export async function listEventDeliveries(
  db: Kysely<DB>,
  tenantId: string,
  eventId: string,
  query: ListQuery,
): Promise<Page<DeliveryView>> {
  const event = await db
    .selectFrom('events')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', eventId)
    .executeTakeFirst();
  if (!event) throw new ApiError('not_found', `No event ${eventId} in this tenant.`);
  const limit = query.limit ?? 25;
  const after = decodeCursor(query.cursor, 'event_deliveries');
  const select = db
    .selectFrom('deliveries')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('event_id', '=', eventId);
  const rows = await newestFirst(select, 'created_at', after, limit).execute();
  const attempts = await attemptsOf(
    db,
    rows.slice(0, limit).map((r) => r.id),
  );
  return toPage(
    rows,
    limit,
    'event_deliveries',
    (r) => ({ time: r.created_at, id: r.id }),
    (r) => toDeliveryView(r, attempts.get(r.id) ?? []),
  );
}

/**
 * The dead-letter queue, most recently dead first.
 *
 * @example
 * const page = await listDeadLetters(db, tenantId, { endpointId: 'whep_…' });
 */
export async function listDeadLetters(
  db: Kysely<DB>,
  tenantId: string,
  query: ListQuery & { endpointId?: string | undefined },
): Promise<Page<DeliveryView>> {
  const limit = query.limit ?? 25;
  const after = decodeCursor(query.cursor, 'dead_letters');
  let select = db
    .selectFrom('deliveries')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'dead');
  if (query.endpointId) select = select.where('endpoint_id', '=', query.endpointId);
  const rows = await newestFirst(select, 'updated_at', after, limit).execute();
  return toPage(
    rows,
    limit,
    'dead_letters',
    (r) => ({ time: r.updated_at, id: r.id }),
    (r) => toDeliveryView(r),
  );
}

async function reschedule(
  db: Kysely<DB>,
  change: ChangeContext,
  id: string,
): Promise<DeliveryView> {
  const row = await db
    .updateTable('deliveries')
    .set(restartedSchedule(change.now))
    .where('tenant_id', '=', change.tenantId)
    .where('id', '=', id)
    .where(notInFlight(change.now))
    .returningAll()
    .executeTakeFirst();
  if (!row) {
    // The row exists (the caller found it): a worker holds its lease.
    throw new ApiError(
      'invalid_state_transition',
      `Delivery ${id} is being attempted right now; wait for that attempt to be recorded (see its attempts) and retry then.`,
    );
  }
  return toDeliveryView(row, (await attemptsOf(db, [id])).get(id) ?? []);
}

/**
 * Attempts a delivery again now, whatever its state, with a fresh schedule;
 * 409 `invalid_state_transition` while an attempt of it is in flight (at
 * most one attempt per delivery is ever on the wire).
 *
 * @example
 * await retryDelivery(trx, change, 'dlv_…');
 */
export async function retryDelivery(
  db: Kysely<DB>,
  change: ChangeContext,
  id: string,
): Promise<DeliveryView> {
  const current = await findDelivery(db, change.tenantId, id);
  const view = await reschedule(db, change, id);
  await auditChange(db, change, 'delivery.retried', 'delivery', id, {
    previousStatus: current.status,
  });
  return view;
}

/**
 * Takes a dead delivery out of the queue for another round of the schedule.
 *
 * @example
 * await replayDeadLetter(trx, change, 'dlv_…');
 */
export async function replayDeadLetter(
  db: Kysely<DB>,
  change: ChangeContext,
  id: string,
): Promise<DeliveryView> {
  const current = await findDelivery(db, change.tenantId, id);
  if (current.status !== 'dead') {
    throw new ApiError(
      'invalid_state_transition',
      `Delivery ${id} is ${current.status}, not in the dead-letter queue.`,
    );
  }
  const view = await reschedule(db, change, id);
  await auditChange(db, change, 'dead_letter.replayed', 'delivery', id);
  return view;
}
