/**
 * The delivery feature's part of the fan-out: one pending delivery per
 * claimed event and matching enabled endpoint, in the fan-out transaction.
 * The endpoint's own ping goes to it alone, whatever its filter; every
 * other event goes to each enabled endpoint whose filter matches. A batch
 * fanned out twice (a crash before commit) adds nothing: one delivery per
 * endpoint and event.
 */
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';

/**
 * Creates the deliveries of the claimed events.
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
