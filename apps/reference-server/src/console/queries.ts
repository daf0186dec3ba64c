/**
 * What the operator pages read and do across tenants: dead letters, disabled
 * endpoints, and replaying a dead letter as the operator. Only ids, types,
 * reasons, times and endpoint addresses without their query or user part
 * leave here — no payloads or response bodies, which may carry secrets or
 * personal data.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { replayDeadLetter } from '../delivery/deliveries-service.ts';
import { describeAttemptError, displayUrl } from './format.ts';

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
  /** The endpoint's description, its human name. */
  endpointName: string | null;
  /** Its address without user, query or fragment (see {@link displayUrl}). */
  endpointUrl: string | null;
  endpointEnabled: boolean;
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
    .selectFrom('deliveries as d')
    .leftJoin('webhook_endpoints as e', 'e.id', 'd.endpoint_id')
    .select([
      'd.id',
      'd.tenant_id',
      'd.endpoint_id',
      'd.event_id',
      'd.event_type',
      'd.attempt_count',
      'd.updated_at',
      'e.description',
      'e.url',
      'e.enabled',
    ])
    .where('d.status', '=', 'dead')
    .orderBy('d.updated_at', 'desc')
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
      const text = describeAttemptError(a.response_status, a.error);
      if (text) lastError.set(a.delivery_id, text);
    }
  }
  return rows.map((r) => ({
    id: r.id,
    tenantId: r.tenant_id,
    endpointId: r.endpoint_id,
    endpointName: r.description,
    endpointUrl: r.url === null ? null : displayUrl(r.url),
    endpointEnabled: r.enabled === true,
    eventId: r.event_id,
    eventType: r.event_type,
    attempts: r.attempt_count,
    lastError: clip(lastError.get(r.id) || null),
    deadSince: r.updated_at.toISOString(),
  }));
}

/**
 * A disabled webhook endpoint as an operator sees it.
 *
 * @example
 * const row: DisabledEndpointRow = { id: 'whep_…', tenantId: 'ten_…', reason: 'HTTP 410 Gone', disabledAt: '…' };
 */
export interface DisabledEndpointRow {
  id: string;
  tenantId: string;
  /** The endpoint's description, its human name. */
  name: string | null;
  /** Its address without user, query or fragment. */
  url: string;
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
    .select(['id', 'tenant_id', 'description', 'url', 'disabled_reason', 'updated_at'])
    .where('enabled', '=', false)
    .orderBy('updated_at', 'desc')
    .limit(Math.min(limit, 1_000))
    .execute();
  return rows.map((r) => ({
    id: r.id,
    tenantId: r.tenant_id,
    name: r.description,
    url: displayUrl(r.url),
    reason: clip(r.disabled_reason),
    disabledAt: r.updated_at.toISOString(),
  }));
}

/**
 * The names of the given tenants, by id (ids without a tenant are left out).
 *
 * @example
 * const names = await tenantNames(db, ['ten_…']);
 * names.get('ten_…'); // 'Clinic 1'
 */
export async function tenantNames(
  db: Kysely<DB>,
  ids: Iterable<string | null>,
): Promise<Map<string, string>> {
  const wanted = [...new Set([...ids].filter((id): id is string => id !== null))];
  if (wanted.length === 0) return new Map();
  const rows = await db
    .selectFrom('tenants')
    .select(['id', 'name'])
    .where('id', 'in', wanted)
    .execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

/**
 * What came of an operator's replay: `replayed`, `unchanged` (no dead
 * delivery has that id), or `endpoint_disabled` (left dead: a replay to a
 * disabled endpoint would sit pending and never be sent).
 *
 * @example
 * const outcome: ReplayOutcome = 'endpoint_disabled';
 */
export type ReplayOutcome = 'replayed' | 'unchanged' | 'endpoint_disabled';

/**
 * Replays a dead letter of any tenant on the operator's behalf (audited as
 * actor `operator` in the tenant's log). A delivery whose endpoint is
 * disabled stays dead and on the page: the operator enables the endpoint
 * first.
 *
 * @example
 * const { outcome } = await replayDeadLetterAsOperator(db, 'dlv_…', 'ops', new Date(), requestId);
 * if (outcome === 'replayed') wake();
 */
export async function replayDeadLetterAsOperator(
  db: Kysely<DB>,
  id: string,
  operator: string,
  now: Date,
  requestId: string | null = null,
): Promise<{ outcome: ReplayOutcome; tenantId: string | null }> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('deliveries as d')
      .leftJoin('webhook_endpoints as e', 'e.id', 'd.endpoint_id')
      .select(['d.tenant_id', 'e.enabled'])
      .where('d.id', '=', id)
      .where('d.status', '=', 'dead')
      .executeTakeFirst();
    if (!row) return { outcome: 'unchanged', tenantId: null };
    if (row.enabled !== true) return { outcome: 'endpoint_disabled', tenantId: row.tenant_id };
    await replayDeadLetter(
      trx,
      { tenantId: row.tenant_id, actor: { type: 'operator', id: operator }, requestId, now },
      id,
    );
    return { outcome: 'replayed', tenantId: row.tenant_id };
  });
}

/**
 * The tenants, by name (at most `limit`), for the operator's tenant picker.
 *
 * @example
 * const tenants = await listTenantsByName(db); // [{ id: 'ten_…', name: 'Clinic 1' }]
 */
export async function listTenantsByName(
  db: Kysely<DB>,
  limit = 500,
): Promise<{ id: string; name: string }[]> {
  return db
    .selectFrom('tenants')
    .select(['id', 'name'])
    .orderBy('name')
    .orderBy('id')
    .limit(Math.min(limit, 1_000))
    .execute();
}
