/**
 * Fan-out: claims recorded events from `event_queue` (`FOR UPDATE SKIP
 * LOCKED`, so processes sharing one PostgreSQL take disjoint batches) and,
 * in the same transaction, creates one delivery per matching enabled
 * endpoint and one inbox row per interested internal subscriber, then
 * removes the events from the queue. A crash before commit releases the
 * claim; a duplicate fan-out is impossible (unique keys, ON CONFLICT).
 */
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { InternalSubscriber } from './subscriber.ts';

/**
 * Events fanned out per transaction: one multi-row statement per table.
 *
 * @example
 * await fanOutEvents(db, subscribers, new Date(), FANOUT_BATCH);
 */
export const FANOUT_BATCH = 100;

/**
 * Fans out one batch; resolves to the number of events taken.
 *
 * @example
 * while ((await fanOutEvents(db, subscribers, new Date())) > 0) {}
 */
export async function fanOutEvents(
  db: Kysely<DB>,
  subscribers: readonly Pick<InternalSubscriber, 'name' | 'eventTypes'>[],
  now: Date,
  batch = FANOUT_BATCH,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const claimed = await sql<{ event_id: string }>`
      select event_id from event_queue order by sequence limit ${batch} for update skip locked`.execute(
      trx,
    );
    const ids = claimed.rows.map((r) => r.event_id);
    if (ids.length === 0) return 0;
    // The endpoint's own ping goes to it alone, whatever its filter; every
    // other event goes to each enabled endpoint whose filter matches.
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
    if (subscribers.length > 0) {
      const wanted = JSON.stringify(
        subscribers.map((s) => ({ name: s.name, types: s.eventTypes })),
      );
      await sql`
        insert into subscriber_inbox (subscriber, event_id, sequence, status, attempts, next_attempt_at)
        select s.name, e.id, e.sequence, 'pending', 0, ${now}
        from events e
        cross join jsonb_to_recordset(${wanted}::jsonb) as s(name text, types jsonb)
        where e.id = any(${ids}) and (s.types ? '*' or s.types ? e.type)
        on conflict (subscriber, event_id) do nothing`.execute(trx);
    }
    await sql`delete from event_queue where event_id = any(${ids})`.execute(trx);
    return ids.length;
  });
}
