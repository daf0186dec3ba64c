/**
 * The relay's bookkeeping in SQL, kept per sink. Fan-out marks each new
 * event for each sink (in the scheduler's fan-out transaction, so none is missed); a
 * process claims whole tenants (`FOR UPDATE SKIP LOCKED` plus a lease, so
 * processes share tenants and never publish one tenant's events side by
 * side), reads each tenant's unrelayed events in outbox order, marks the
 * acknowledged ones and releases the tenants.
 */
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import type {} from './schema.ts';
import type { RelaySinkName } from './sink.ts';

/**
 * An event claimed for publishing, with what its envelope needs.
 *
 * @example
 * for (const row of await unrelayedEvents(db, 'nats', ['ten_a'], 100)) console.log(row.event_id, row.event_type);
 */
export interface RelayRow {
  readonly event_id: string;
  readonly tenant_id: string;
  readonly sequence: string | number;
  readonly event_type: string;
  readonly entity_type: string;
  readonly entity_id: string;
  readonly occurred_at: Date;
  readonly data: Record<string, unknown>;
}

/**
 * Marks the fanned-out events for each sink (idempotent: a batch may be fanned out twice).
 *
 * @example
 * await fanOutEvents(db, subscribers, now, { targets: [(trx, ids, at) => markForRelay(trx, ids, at, ['nats'])] });
 */
export async function markForRelay(
  trx: Kysely<DB>,
  ids: readonly string[],
  now: Date,
  sinks: readonly RelaySinkName[],
): Promise<void> {
  if (sinks.length === 0 || ids.length === 0) return;
  await sql`
    insert into relay_events (sink, event_id, tenant_id, sequence, created_at, relayed_at)
    select s.sink, e.id, e.tenant_id, e.sequence, ${now}, null
    from events e cross join unnest(${sinks}::text[]) as s(sink)
    where e.id = any(${ids})
    on conflict (sink, event_id) do nothing`.execute(trx);
  await sql`
    insert into relay_tenants (sink, tenant_id, lease_owner, lease_expires_at)
    select distinct s.sink, e.tenant_id, null::text, null::timestamptz
    from events e cross join unnest(${sinks}::text[]) as s(sink)
    where e.id = any(${ids})
    on conflict (sink, tenant_id) do nothing`.execute(trx);
}

/**
 * Leases up to `limit` tenants with events unrelayed to `sink` to `worker`; resolves to their ids.
 *
 * @example
 * const tenants = await claimRelayTenants(db, { sink: 'nats', worker: 'w1', limit: 16, now: new Date(), leaseMs: 60_000 });
 */
export async function claimRelayTenants(
  db: Kysely<DB>,
  options: { sink: RelaySinkName; worker: string; limit: number; now: Date; leaseMs: number },
): Promise<string[]> {
  const leaseUntil = new Date(options.now.getTime() + options.leaseMs);
  const { rows } = await sql<{ tenant_id: string }>`
    with due as (
      select t.tenant_id from relay_tenants t
      where t.sink = ${options.sink}
        and (t.lease_expires_at is null or t.lease_expires_at < ${options.now})
        and exists (select 1 from relay_events r
          where r.sink = t.sink and r.tenant_id = t.tenant_id and r.relayed_at is null)
      order by t.tenant_id
      limit ${options.limit}
      for update of t skip locked
    )
    update relay_tenants t set lease_owner = ${options.worker}, lease_expires_at = ${leaseUntil}
    from due where t.sink = ${options.sink} and t.tenant_id = due.tenant_id
    returning t.tenant_id`.execute(db);
  return rows.map((row) => row.tenant_id);
}

/**
 * The first `perTenant` events of each tenant not yet relayed to `sink`, in outbox order.
 *
 * @example
 * const rows = await unrelayedEvents(db, 'nats', tenants, 100);
 */
export async function unrelayedEvents(
  db: Kysely<DB>,
  sink: RelaySinkName,
  tenants: readonly string[],
  perTenant: number,
): Promise<RelayRow[]> {
  if (tenants.length === 0) return [];
  const { rows } = await sql<RelayRow>`
    select r.event_id, r.tenant_id, r.sequence, e.type as event_type, e.entity_type, e.entity_id,
      e.occurred_at, e.data
    from unnest(${tenants}::text[]) as t(tenant_id)
    cross join lateral (
      select q.event_id, q.tenant_id, q.sequence from relay_events q
      where q.sink = ${sink} and q.tenant_id = t.tenant_id and q.relayed_at is null
      order by q.sequence limit ${perTenant}
    ) r
    join events e on e.id = r.event_id
    order by r.tenant_id, r.sequence`.execute(db);
  return rows;
}

/**
 * Marks events `sink`'s broker acknowledged as relayed to it.
 *
 * @example
 * await markRelayed(db, 'nats', ['evt_1'], new Date());
 */
export async function markRelayed(
  db: Kysely<DB>,
  sink: RelaySinkName,
  ids: readonly string[],
  now: Date,
): Promise<void> {
  if (ids.length === 0) return;
  await sql`
    update relay_events set relayed_at = ${now}
    where sink = ${sink} and event_id = any(${ids}) and relayed_at is null`.execute(db);
}

/**
 * Gives up `worker`'s leases on the tenants for `sink` (another process may take them at once).
 *
 * @example
 * await releaseRelayTenants(db, 'nats', 'w1', ['ten_a']);
 */
export async function releaseRelayTenants(
  db: Kysely<DB>,
  sink: RelaySinkName,
  worker: string,
  tenants: readonly string[],
): Promise<void> {
  if (tenants.length === 0) return;
  await sql`
    update relay_tenants set lease_owner = null, lease_expires_at = null
    where sink = ${sink} and tenant_id = any(${tenants}) and lease_owner = ${worker}`.execute(db);
}
