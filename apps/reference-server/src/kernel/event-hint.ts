/**
 * The outbox's wake-up hint sent after commit (issue 16). A write
 * transaction that calls `deferEventHint` enqueues its events without the
 * trigger's in-transaction `NOTIFY` (which serialises NOTIFYing commits
 * cluster-wide, disk sync included); once it has committed, its caller
 * calls the hint from `createEventHint`, which sends one `NOTIFY` outside
 * any write transaction, coalescing the commits that happen while one is on
 * its way into one more. Listeners in every process still hear of new
 * events; a crash between commit and hint delays them by one poll interval,
 * as a lost notification always could.
 */
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import { EVENTS_CHANNEL } from '../scheduler/migrations.ts';

/**
 * The transaction setting the outbox trigger reads (see migration
 * `0101-core-events-notify-after-commit`).
 *
 * @example
 * sql`select set_config(${NOTIFY_AFTER_COMMIT_SETTING}, 'on', true)`;
 */
export const NOTIFY_AFTER_COMMIT_SETTING = 'clinicbridge.notify_after_commit';

/**
 * Tells the outbox trigger to leave the `NOTIFY` of this transaction's
 * events to the caller, who must call an event hint after commit.
 *
 * @example
 * await db.transaction().execute(async (trx) => { await deferEventHint(trx); … });
 * hint();
 */
export async function deferEventHint(trx: Kysely<DB>): Promise<void> {
  await sql`select set_config(${NOTIFY_AFTER_COMMIT_SETTING}, 'on', true)`.execute(trx);
}

/**
 * A coalescing sender of the events channel's hint on `db`: at most one
 * `NOTIFY` on its way at a time, and one more after it when asked meanwhile.
 * Errors are dropped: the hint is only a hint.
 *
 * @example
 * const hint = createEventHint(db);
 * await writeInTransaction(); hint();
 */
export function createEventHint(db: Kysely<DB>): () => void {
  let sending = false;
  let again = false;
  const send = async () => {
    sending = true;
    try {
      do {
        again = false;
        await sql`select pg_notify(${EVENTS_CHANNEL}, current_schema())`
          .execute(db)
          .catch(() => {});
      } while (again);
    } finally {
      sending = false;
    }
  };
  return () => {
    if (sending) again = true;
    else void send();
  };
}
