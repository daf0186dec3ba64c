/**
 * The delivery feature's part of the fan-out: one pending delivery per
 * claimed event and matching enabled endpoint, in the fan-out transaction.
 * The endpoint's own ping goes to it alone, whatever its filter; every
 * other event goes to each enabled endpoint whose filter matches. A batch
 * fanned out twice (a crash before commit) adds nothing: one delivery per
 * endpoint and event.
 *
 * A process whose delivery worker has room creates its deliveries already
 * leased to that worker (owner and expiry set by the insert), with what
 * sending them needs, and hands them straight to it after the commit: no
 * second statement finds and leases them. Another process takes them over
 * once the lease runs out, exactly as after a claim.
 */
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { ClaimedDelivery } from './claims.ts';

/**
 * Creates the deliveries of the claimed events, leased to nobody.
 *
 * @example
 * await fanOutEvents(db, subscribers, now, { targets: [scheduleDeliveries] });
 */
export async function scheduleDeliveries(
  trx: Kysely<DB>,
  ids: readonly string[],
  now: Date,
): Promise<void> {
  await sql`
    insert into deliveries (id, tenant_id, event_id, endpoint_id, event_type, status, attempt_count,
      schedule_step, next_attempt_at, created_at, updated_at)
    select 'dlv_' || replace(gen_random_uuid()::text, '-', ''), e.tenant_id, e.id, w.id, e.type, 'pending', 0,
      0, ${now}, ${now}, ${now}
    from events e
    join webhook_endpoints w on w.tenant_id = e.tenant_id and w.enabled
    where e.id = any(${ids})
      and case when e.type = 'webhook_endpoint.ping' then w.id = e.data->>'endpointId'
               else (w.event_types ? '*' or w.event_types ? e.type) end
    on conflict (endpoint_id, event_id) do nothing`.execute(trx);
}

/**
 * Creates the deliveries of the claimed events and leases up to `limit` of
 * them to `worker` in the same statement; resolves to the leased ones, with
 * their event and endpoint, ready to send once the transaction commits.
 * Only deliveries a claim would take are leased (those of an endpoint whose
 * integration is paused or deprecated wait, unleased); the rest are created
 * unleased and claimed as usual. A delivery that already existed (a batch
 * fanned out again) is neither leased nor returned. A leased delivery is
 * due for anyone else when its lease runs out, so its `next_attempt_at` is
 * the lease's end: the claims' scan of due deliveries does not meet it while
 * this worker sends it.
 *
 * @example
 * const leased = await scheduleLeasedDeliveries(trx, ids, now, { worker: 'w1', leaseMs: 60_000, limit: 100 });
 */
export async function scheduleLeasedDeliveries(
  trx: Kysely<DB>,
  ids: readonly string[],
  now: Date,
  options: { worker: string; leaseMs: number; limit: number },
): Promise<ClaimedDelivery[]> {
  if (options.limit <= 0) {
    await scheduleDeliveries(trx, ids, now);
    return [];
  }
  const leaseUntil = new Date(now.getTime() + options.leaseMs);
  // `planned` is read twice and calls gen_random_uuid(), so PostgreSQL computes it once:
  // the id inserted is the id the final join finds.
  const { rows } = await sql<ClaimedDelivery>`
    with planned as (
      select 'dlv_' || replace(gen_random_uuid()::text, '-', '') as id, e.tenant_id,
        e.id as event_id, w.id as endpoint_id, e.type as event_type, e.entity_type, e.entity_id,
        e.occurred_at, e.data, e.sequence, w.url, w.secret, w.previous_secret, w.previous_secret_expires_at,
        (i.id is null or i.status = 'active')
          and row_number() over (partition by (i.id is null or i.status = 'active')
            order by e.sequence, w.id) <= ${options.limit} as leased
      from events e
      join webhook_endpoints w on w.tenant_id = e.tenant_id and w.enabled
      left join integrations i on i.id = w.integration_id
      where e.id = any(${ids})
        and case when e.type = 'webhook_endpoint.ping' then w.id = e.data->>'endpointId'
                 else (w.event_types ? '*' or w.event_types ? e.type) end
    ), inserted as (
      insert into deliveries (id, tenant_id, event_id, endpoint_id, event_type, status, attempt_count,
        schedule_step, next_attempt_at, lease_owner, lease_expires_at, created_at, updated_at)
      select p.id, p.tenant_id, p.event_id, p.endpoint_id, p.event_type, 'pending', 0, 0,
        case when p.leased then ${leaseUntil}::timestamptz else ${now}::timestamptz end,
        case when p.leased then ${options.worker}::text end,
        case when p.leased then ${leaseUntil}::timestamptz end, ${now}, ${now}
      from planned p
      on conflict (endpoint_id, event_id) do nothing
      returning id, schedule_step, lease_expires_at
    )
    select p.id, p.tenant_id, p.event_id, p.endpoint_id, i.schedule_step, i.lease_expires_at,
      p.url, p.secret, p.previous_secret, p.previous_secret_expires_at, p.event_type,
      p.entity_type, p.entity_id, p.occurred_at, p.data
    from inserted i join planned p on p.id = i.id
    where i.lease_expires_at is not null
    order by p.sequence, p.endpoint_id`.execute(trx);
  return rows;
}
