/**
 * Claiming due deliveries and recording their attempts, in batches: one
 * statement claims up to N deliveries with their event and endpoint
 * (`FOR UPDATE SKIP LOCKED` plus a lease, so several processes share the
 * work and a crashed process's claims return after the lease), and one
 * transaction records a batch of attempts (PostgreSQL commits ~10× more rows
 * per second in multi-row statements than in single-row ones).
 */
import { CompiledQuery, type Kysely, sql } from 'kysely';
import { preparedName, type RunPrepared } from '../db/prepared.ts';
import type { DB } from '../db/schema.ts';
import {
  AUDIT_CHAIN_ROW_COLUMNS,
  appendAuditChainSql,
  auditChainRow,
} from '../kernel/audit-chain.ts';
import { deliveryOutcomeAudit } from './audit-outcomes.ts';
import type { DeliveryStatus } from './schema.ts';

/**
 * A claimed delivery with what sending it needs.
 *
 * @example
 * for (const row of await claimDueDeliveries(db, options)) console.log(row.url, row.event_type);
 */
export interface ClaimedDelivery {
  readonly id: string;
  readonly tenant_id: string;
  readonly event_id: string;
  readonly endpoint_id: string;
  readonly schedule_step: number;
  readonly lease_expires_at: Date;
  readonly url: string;
  readonly secret: string;
  readonly previous_secret: string | null;
  readonly previous_secret_expires_at: Date | null;
  readonly event_type: string;
  readonly entity_type: string;
  readonly entity_id: string;
  readonly occurred_at: Date;
  readonly data: Record<string, unknown>;
}

/**
 * Claims up to `limit` due deliveries of enabled endpoints for `worker`.
 * Deliveries of an endpoint whose integration is paused or deprecated are
 * not claimed: they wait, unchanged, until it is resumed.
 *
 * @example
 * const batch = await claimDueDeliveries(db, { worker: 'w1', limit: 100, now: new Date(), leaseMs: 60_000 });
 */
export async function claimDueDeliveries(
  db: Kysely<DB>,
  options: { worker: string; limit: number; now: Date; leaseMs: number },
): Promise<ClaimedDelivery[]> {
  if (options.limit <= 0) return [];
  const leaseUntil = new Date(options.now.getTime() + options.leaseMs);
  const { rows } = await sql<ClaimedDelivery>`
    with due as (
      select d.id from deliveries d
      join webhook_endpoints w on w.id = d.endpoint_id and w.enabled
      left join integrations i on i.id = w.integration_id
      where (i.id is null or i.status = 'active') and d.status in ('pending', 'failed') and d.next_attempt_at <= ${options.now}
        and (d.lease_expires_at is null or d.lease_expires_at < ${options.now})
      order by d.next_attempt_at
      limit ${options.limit}
      for update of d skip locked
    ), claimed as (
      update deliveries d set lease_owner = ${options.worker}, lease_expires_at = ${leaseUntil}
      from due where d.id = due.id
      returning d.id, d.tenant_id, d.event_id, d.endpoint_id, d.schedule_step, d.lease_expires_at
    )
    select c.*, w.url, w.secret, w.previous_secret, w.previous_secret_expires_at,
      e.type as event_type, e.entity_type, e.entity_id, e.occurred_at, e.data
    from claimed c
    join webhook_endpoints w on w.id = c.endpoint_id
    join events e on e.id = c.event_id`.execute(db);
  return rows;
}

/**
 * One finished attempt, ready to be recorded.
 *
 * @example
 * const failed = records.filter((r: AttemptRecord) => r.status !== 'succeeded');
 */
export interface AttemptRecord {
  readonly attemptId: string;
  readonly deliveryId: string;
  readonly tenantId: string;
  readonly endpointId: string;
  readonly attemptedAt: Date;
  readonly responseStatus: number | null;
  readonly latencyMs: number;
  readonly error: string | null;
  readonly snippet: string | null;
  readonly status: Extract<DeliveryStatus, 'succeeded' | 'failed' | 'dead'>;
  readonly nextAttemptAt: Date | null;
  readonly scheduleStep: number;
}

// The record statement: $1 the batch (attemptsJson), $2 the worker. The
// UPDATE locks each row it moves (a delivery deleted meanwhile is simply not
// there), so the attempt's foreign key cannot be broken by a concurrent
// delete, and only moved deliveries are audited. An endpoint with a success
// in the batch is no longer failing (endpoint-health.ts).
const RECORD_ATTEMPTS = `
  with recursive v as (
    select * from jsonb_to_recordset($1::jsonb) as v(
      attempt_id text, id text, tenant_id text, endpoint_id text, status text,
      next_attempt_at timestamptz, schedule_step int, attempted_at timestamptz,
      response_status int, latency_ms int, error text, snippet text, ord int, audit jsonb)
  ), healed as (
    update webhook_endpoints w set failing_since = null
    where w.id in (select v.endpoint_id from v where v.status = 'succeeded')
      and w.failing_since is not null
  ), moved as (
    update deliveries d set status = v.status, next_attempt_at = v.next_attempt_at,
      schedule_step = v.schedule_step, attempt_count = d.attempt_count + 1,
      last_attempt_at = v.attempted_at, updated_at = v.attempted_at,
      lease_owner = null, lease_expires_at = null
    from v where d.id = v.id and d.lease_owner = $2::text
    returning d.id
  ), attempts as (
    insert into delivery_attempts (id, delivery_id, tenant_id, attempted_at, response_status,
      latency_ms, error, response_snippet, worker)
    select v.attempt_id, v.id, v.tenant_id, v.attempted_at, v.response_status, v.latency_ms,
      v.error, v.snippet, $2::text
    from v join moved on moved.id = v.id
  ), outcomes as (
    select a.*, v.ord from v join moved on moved.id = v.id
    cross join jsonb_to_record(v.audit) as a(${AUDIT_CHAIN_ROW_COLUMNS})
    where v.audit is not null
  ), ${appendAuditChainSql('outcomes')}
  select id from moved`;

/** Name of {@link RECORD_ATTEMPTS} as a prepared statement, by its text. */
const RECORD_ATTEMPTS_NAME = preparedName('cb_record_attempts_', RECORD_ATTEMPTS);

/**
 * Records a batch of attempts in one statement: the deliveries still leased
 * to `worker` move on, their attempt rows go in, each finished delivery's
 * audit row joins its tenant's hash chain, and every endpoint with a
 * success in the batch is cleared of `failing_since`. Outside a transaction
 * that statement commits on its own (one round trip for the whole batch),
 * run through `prepared` when given (PostgreSQL: parsed and planned once per
 * connection). A delivery whose lease passed to another process keeps its
 * attempt row (it happened) but its state is left to the new owner. Returns
 * the records that moved their delivery on (the ones whose outcome counts).
 *
 * @example
 * const moved = await recordAttempts(db, 'w1', records, preparedRunnerOf(database));
 */
export async function recordAttempts(
  db: Kysely<DB>,
  worker: string,
  records: readonly AttemptRecord[],
  prepared?: RunPrepared,
): Promise<AttemptRecord[]> {
  if (records.length === 0) return [];
  const values = [attemptsJson(records), worker];
  const moved = (
    prepared && !db.isTransaction
      ? await prepared(RECORD_ATTEMPTS_NAME, RECORD_ATTEMPTS, values)
      : (await db.executeQuery(CompiledQuery.raw(RECORD_ATTEMPTS, values))).rows
  ) as { id: string }[];
  const movedIds = new Set(moved.map((r) => r.id));
  const movedRecords = records.filter((r) => movedIds.has(r.deliveryId));
  if (movedRecords.length < records.length) {
    const rest = records.filter((r) => !movedIds.has(r.deliveryId));
    if (db.isTransaction) await keepLostAttempts(db, worker, rest);
    else await db.transaction().execute((trx) => keepLostAttempts(trx, worker, rest));
  }
  return movedRecords;
}

/**
 * The attempts whose lease went to another process (it ran out while the
 * attempt was under way), or whose delivery was deleted with its endpoint.
 * The attempt still happened: its row is kept while the delivery exists
 * (FOR SHARE keeps a concurrent delete from slipping in between), and the
 * delivery's state is left to its new owner. Runs in `trx`.
 */
async function keepLostAttempts(
  trx: Kysely<DB>,
  worker: string,
  rest: readonly AttemptRecord[],
): Promise<void> {
  const present = await trx
    .selectFrom('deliveries')
    .select('id')
    .where(
      'id',
      'in',
      rest.map((r) => r.deliveryId),
    )
    .forShare()
    .execute();
  const ids = new Set(present.map((row) => row.id));
  const kept = rest.filter((r) => ids.has(r.deliveryId));
  if (kept.length === 0) return;
  await sql`
    insert into delivery_attempts (id, delivery_id, tenant_id, attempted_at, response_status,
      latency_ms, error, response_snippet, worker)
    select v.attempt_id, v.id, v.tenant_id, v.attempted_at, v.response_status, v.latency_ms,
      v.error, v.snippet, ${worker}
    from jsonb_to_recordset(${attemptsJson(kept)}::jsonb) as v(
      attempt_id text, id text, tenant_id text, attempted_at timestamptz, response_status int,
      latency_ms int, error text, snippet text)`.execute(trx);
}

/**
 * A batch of attempts as one JSON parameter (one bind value, whatever the
 * batch size), each finished one with its audit row.
 */
function attemptsJson(records: readonly AttemptRecord[]): string {
  return JSON.stringify(
    records.map((r, ord) => {
      const audit = deliveryOutcomeAudit(r);
      return {
        attempt_id: r.attemptId,
        id: r.deliveryId,
        tenant_id: r.tenantId,
        endpoint_id: r.endpointId,
        status: r.status,
        next_attempt_at: r.nextAttemptAt?.toISOString() ?? null,
        schedule_step: r.scheduleStep,
        attempted_at: r.attemptedAt.toISOString(),
        response_status: r.responseStatus,
        latency_ms: r.latencyMs,
        error: r.error,
        // PostgreSQL text holds no NUL character; a receiver's body may.
        snippet: r.snippet?.replaceAll('\u0000', '\uFFFD') ?? null,
        ord,
        audit: audit && auditChainRow(audit),
      };
    }),
  );
}

/**
 * Gives claimed deliveries back without an attempt (shutdown, or a lease
 * too close to expiry to start a request safely). They are due again at
 * once: one leased by the fan-out that created it was due only at the end
 * of its lease.
 *
 * @example
 * await releaseClaims(db, 'w1', ['dlv_…'], new Date());
 */
export async function releaseClaims(
  db: Kysely<DB>,
  worker: string,
  ids: readonly string[],
  now: Date,
): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('deliveries')
    .set({
      lease_owner: null,
      lease_expires_at: null,
      next_attempt_at: sql<Date>`least(next_attempt_at, ${now})`,
    })
    .where('id', 'in', ids)
    .where('lease_owner', '=', worker)
    .execute();
}
