/**
 * Fan-out: claims recorded events from `event_queue` (`FOR UPDATE SKIP
 * LOCKED`, so processes sharing one PostgreSQL take disjoint batches) and,
 * in the same transaction, hands them to each feature's fan-out target (the
 * delivery feature creates one delivery per matching enabled endpoint) and
 * creates one inbox row per interested internal subscriber. The events
 * leave the queue in the statement that claims them; a crash before commit
 * puts them back; a duplicate fan-out is impossible (unique keys, ON CONFLICT).
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
 * A feature's part of the fan-out: given the claimed event ids, it writes
 * its own rows in the fan-out transaction (idempotently: a batch may be
 * fanned out again after a crash before commit). It may resolve to a
 * function run once the transaction has committed (never if it failed),
 * e.g. to hand the rows it wrote to an in-process worker.
 *
 * @example
 * const target: FanOutTarget = (trx, ids, now) => scheduleDeliveries(trx, ids, now);
 */
export type FanOutTarget = (
  trx: Kysely<DB>,
  eventIds: readonly string[],
  now: Date,
  // biome-ignore lint/suspicious/noConfusingVoidType: a target with nothing to do after the commit is a plain async function.
) => Promise<void | (() => void)>;

/**
 * Fans out one batch; resolves to the number of events taken.
 *
 * @example
 * while ((await fanOutEvents(db, subscribers, new Date(), { targets: [scheduleDeliveries] })) > 0) {}
 */
export async function fanOutEvents(
  db: Kysely<DB>,
  subscribers: readonly Pick<InternalSubscriber, 'name' | 'eventTypes'>[],
  now: Date,
  options: { readonly batch?: number; readonly targets?: readonly FanOutTarget[] } = {},
): Promise<number> {
  const batch = options.batch ?? FANOUT_BATCH;
  const afterCommit: (() => void)[] = [];
  const taken = await db.transaction().execute(async (trx) => {
    // Taken off the queue first, in one statement: the rollback of a failed
    // fan-out (or a crash before commit) puts the events back.
    const claimed = await sql<{ event_id: string }>`
      delete from event_queue where event_id in (
        select event_id from event_queue order by sequence limit ${batch} for update skip locked)
      returning event_id`.execute(trx);
    const ids = claimed.rows.map((r) => r.event_id);
    if (ids.length === 0) return 0;
    for (const target of options.targets ?? []) {
      const then = await target(trx, ids, now);
      if (then) afterCommit.push(then);
    }
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
    return ids.length;
  });
  for (const then of afterCommit) then();
  return taken;
}
