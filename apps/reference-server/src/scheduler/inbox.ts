/**
 * Processing of internal subscribers' inboxes. Rows are claimed with
 * `FOR UPDATE SKIP LOCKED`; each handler runs in a savepoint of the claiming
 * transaction, so a success commits its writes and its acknowledgement
 * together, and a failure rolls back only that event, which is retried on a
 * backoff and, after `MAX_INBOX_ATTEMPTS`, parked as `dead` with an alert.
 */
import { type Kysely, sql } from 'kysely';
import { raiseAlert } from '../alerts/raise.ts';
import type { DB } from '../db/schema.ts';
import { toEnvelope } from '../kernel/outbox.ts';
import { doublingBackoffMs } from './backoff.ts';
import type { InternalSubscriber } from './subscriber.ts';

/**
 * Attempts before an inbox row is parked as dead.
 *
 * @example
 * if (row.attempts >= MAX_INBOX_ATTEMPTS) console.log('parked as dead');
 */
export const MAX_INBOX_ATTEMPTS = 10;
const INBOX_BATCH = 50;

/**
 * Processes one batch of one subscriber's inbox; resolves to rows handled.
 *
 * @example
 * await processInbox(db, reportingSubscriber, new Date());
 */
export async function processInbox(
  db: Kysely<DB>,
  subscriber: InternalSubscriber,
  now: Date,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const claimed = await sql<{ event_id: string; attempts: number }>`
      select event_id, attempts from subscriber_inbox
      where subscriber = ${subscriber.name} and status = 'pending' and next_attempt_at <= ${now}
      order by sequence limit ${INBOX_BATCH} for update skip locked`.execute(trx);
    if (claimed.rows.length === 0) return 0;
    const events = await trx
      .selectFrom('events')
      .selectAll()
      .where(
        'id',
        'in',
        claimed.rows.map((r) => r.event_id),
      )
      .execute();
    const byId = new Map(events.map((e) => [e.id, e]));
    for (const row of claimed.rows) {
      const event = byId.get(row.event_id);
      await sql`savepoint inbox_event`.execute(trx);
      try {
        if (event) await subscriber.handle(trx, toEnvelope(event), { now });
        await sql`release savepoint inbox_event`.execute(trx);
        await trx
          .updateTable('subscriber_inbox')
          .set({ status: 'done', acked_at: now, last_error: null })
          .where('subscriber', '=', subscriber.name)
          .where('event_id', '=', row.event_id)
          .execute();
      } catch (error) {
        await sql`rollback to savepoint inbox_event`.execute(trx);
        const attempts = row.attempts + 1;
        const dead = attempts >= MAX_INBOX_ATTEMPTS;
        const message = error instanceof Error ? error.message.slice(0, 500) : 'handler failed';
        await trx
          .updateTable('subscriber_inbox')
          .set({
            attempts,
            status: dead ? 'dead' : 'pending',
            last_error: message,
            next_attempt_at: new Date(now.getTime() + doublingBackoffMs(attempts, 3_600_000)),
          })
          .where('subscriber', '=', subscriber.name)
          .where('event_id', '=', row.event_id)
          .execute();
        if (dead) {
          await raiseAlert(trx, {
            tenantId: event?.tenant_id ?? null,
            kind: 'subscriber_event_dead',
            message: `internal subscriber ${subscriber.name} gave up on event ${row.event_id} after ${attempts} attempts`,
            details: { subscriber: subscriber.name, eventId: row.event_id, error: message },
            now,
          });
        }
      }
    }
    return claimed.rows.length;
  });
}
