/**
 * Delivering chosen events again to one endpoint, whatever its filter and
 * whatever happened to earlier deliveries: a delivery that exists is put
 * back at the start of its schedule, a missing one is created pending, and
 * one in flight right now is left to its attempt (restarting it would
 * clear its lease and send it twice at once).
 * What a dispute needs — "send us that claim's whole history again".
 */
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import { ApiError } from '../kernel/problem.ts';

/**
 * Schedules `eventIds` (of the tenant) to the tenant's endpoint `endpointId`;
 * returns how many deliveries were scheduled. 404 for another tenant's or a
 * missing endpoint.
 *
 * @example
 * const scheduled = await redeliverEvents(trx, tenantId, 'whep_…', ['evt_…'], now);
 */
export async function redeliverEvents(
  db: Kysely<DB>,
  tenantId: string,
  endpointId: string,
  eventIds: readonly string[],
  now: Date,
): Promise<number> {
  const endpoint = await db
    .selectFrom('webhook_endpoints')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', endpointId)
    .executeTakeFirst();
  if (!endpoint)
    throw new ApiError('not_found', `No webhook endpoint ${endpointId} in this tenant.`);
  if (eventIds.length === 0) return 0;
  const result = await sql`
    insert into deliveries (id, tenant_id, event_id, endpoint_id, event_type, status, attempt_count,
      schedule_step, next_attempt_at, created_at, updated_at)
    select 'dlv_' || replace(gen_random_uuid()::text, '-', ''), e.tenant_id, e.id, ${endpointId}, e.type,
      'pending', 0, 0, ${now}, ${now}, ${now}
    from events e
    where e.tenant_id = ${tenantId} and e.id = any(${eventIds})
    on conflict (endpoint_id, event_id) do update set status = 'pending', schedule_step = 0,
      next_attempt_at = ${now}, lease_owner = null, lease_expires_at = null, updated_at = ${now}
    where deliveries.lease_expires_at is null or deliveries.lease_expires_at < ${now}`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
