/**
 * What the operator pages read and do across tenants: dead letters, disabled
 * endpoints, and replaying a dead letter as the operator. Only ids, types,
 * reasons and times leave here — no URLs, payloads or response bodies, which
 * may carry secrets or personal data.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { replayDeadLetter } from '../delivery/deliveries-service.ts';

/** Longest reason or error text shown, so one hostile string cannot flood a page. */
const TEXT_LIMIT = 300;

/**
 * `text` cut to {@link TEXT_LIMIT} characters.
 *
 * @example
 * clip('x'.repeat(1_000)).length; // 301 (with the ellipsis)
 */
export function clip(text: string | null): string | null {
  if (text === null) return null;
  return text.length > TEXT_LIMIT ? `${text.slice(0, TEXT_LIMIT)}…` : text;
}

/**
 * A dead delivery as an operator sees it.
 *
 * @example
 * const row: DeadLetterRow = { id: 'dlv_…', tenantId: 'ten_…', endpointId: 'whep_…', eventId: 'evt_…', eventType: 'appointment.created', attempts: 8, lastError: 'HTTP 500', deadSince: '2026-11-22T08:00:00.000Z' };
 */
export interface DeadLetterRow {
  id: string;
  tenantId: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  attempts: number;
  lastError: string | null;
  deadSince: string;
}

/**
 * The dead-letter queue of every tenant, most recently dead first.
 *
 * @example
 * const rows = await listAllDeadLetters(db, 50);
 */
export async function listAllDeadLetters(db: Kysely<DB>, limit = 100): Promise<DeadLetterRow[]> {
  const rows = await db
    .selectFrom('deliveries')
    .select([
      'id',
      'tenant_id',
      'endpoint_id',
      'event_id',
      'event_type',
      'attempt_count',
      'updated_at',
    ])
    .where('status', '=', 'dead')
    .orderBy('updated_at', 'desc')
    .limit(Math.min(limit, 1_000))
    .execute();
  const lastError = new Map<string, string>();
  if (rows.length > 0) {
    const attempts = await db
      .selectFrom('delivery_attempts')
      .select(['delivery_id', 'response_status', 'error'])
      .where(
        'delivery_id',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('attempted_at', 'desc')
      .execute();
    for (const a of attempts) {
      if (lastError.has(a.delivery_id)) continue;
      const status = a.response_status === null ? '' : `HTTP ${a.response_status}`;
      lastError.set(a.delivery_id, [status, a.error ?? ''].filter(Boolean).join(' · '));
    }
  }
  return rows.map((r) => ({
    id: r.id,
    tenantId: r.tenant_id,
    endpointId: r.endpoint_id,
    eventId: r.event_id,
    eventType: r.event_type,
    attempts: r.attempt_count,
    lastError: clip(lastError.get(r.id) || null),
    deadSince: r.updated_at.toISOString(),
  }));
}

/**
 * A disabled webhook endpoint as an operator sees it (without its URL).
 *
 * @example
 * const row: DisabledEndpointRow = { id: 'whep_…', tenantId: 'ten_…', reason: 'HTTP 410 Gone', disabledAt: '…' };
 */
export interface DisabledEndpointRow {
  id: string;
  tenantId: string;
  reason: string | null;
  disabledAt: string;
}

/**
 * Disabled endpoints of every tenant, most recently changed first.
 *
 * @example
 * const rows = await listDisabledEndpoints(db);
 */
export async function listDisabledEndpoints(
  db: Kysely<DB>,
  limit = 100,
): Promise<DisabledEndpointRow[]> {
  const rows = await db
    .selectFrom('webhook_endpoints')
    .select(['id', 'tenant_id', 'disabled_reason', 'updated_at'])
    .where('enabled', '=', false)
    .orderBy('updated_at', 'desc')
    .limit(Math.min(limit, 1_000))
    .execute();
  return rows.map((r) => ({
    id: r.id,
    tenantId: r.tenant_id,
    reason: clip(r.disabled_reason),
    disabledAt: r.updated_at.toISOString(),
  }));
}

/**
 * Replays a dead letter of any tenant on the operator's behalf (audited as
 * actor `operator`); false when no dead delivery has that id.
 *
 * @example
 * if (await replayDeadLetterAsOperator(db, 'dlv_…', 'ops', new Date())) wake();
 */
export async function replayDeadLetterAsOperator(
  db: Kysely<DB>,
  id: string,
  operator: string,
  now: Date,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('deliveries')
      .select(['tenant_id'])
      .where('id', '=', id)
      .where('status', '=', 'dead')
      .executeTakeFirst();
    if (!row) return false;
    await replayDeadLetter(
      trx,
      { tenantId: row.tenant_id, actor: { type: 'operator', id: operator }, requestId: null, now },
      id,
    );
    return true;
  });
}
