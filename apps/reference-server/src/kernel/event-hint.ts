/**
 * The outbox's wake-up hint for the API's writes (issue 16). An event
 * insert's trigger NOTIFYs inside its transaction, and a NOTIFYing commit
 * takes PostgreSQL's cluster-wide notify lock across its disk sync: writes
 * that commit at once then commit one at a time. So a write that starts
 * while another write of this process is in flight defers its NOTIFY
 * (`deferEventHint`: it enqueues its events without one) and, once
 * committed, sends one coalesced `NOTIFY` outside any write transaction.
 * A write that starts alone has nothing to queue behind and keeps the
 * NOTIFY in its own commit, saving the hint's round trip and commit.
 * Listeners in every process hear of new events either way; a crash
 * between commit and hint delays them by one poll interval, as a lost
 * notification always could.
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
 * events to the caller, who must send the hint after commit.
 *
 * @example
 * await db.transaction().execute(async (trx) => { await deferEventHint(trx); … });
 * hint.leave(true);
 */
export async function deferEventHint(trx: Kysely<DB>): Promise<void> {
  await sql`select set_config(${NOTIFY_AFTER_COMMIT_SETTING}, 'on', true)`.execute(trx);
}

/**
 * The hint of one process's idempotent writes: each write is counted in
 * and out, and learns whether to defer its events' `NOTIFY`.
 *
 * @example
 * const defer = hint.enter();
 * let committed = false;
 * try { committed = await write({ deferEventHint: defer }); } finally { hint.leave(defer && committed); }
 */
export interface EventHint {
  /** Counts a write in; true when another write is in flight, so this one defers its `NOTIFY`. */
  enter(): boolean;
  /** Counts a write out; `notify` (it deferred and committed) sends the coalesced hint. */
  leave(notify: boolean): void;
}

/**
 * The {@link EventHint} of the writes on `db`: one per process, shared by
 * every route that writes through the idempotent pipeline.
 *
 * @example
 * const hint = createEventHint(db);
 */
export function createEventHint(db: Kysely<DB>): EventHint {
  return countedHint(
    coalesced(async () => {
      await sql`select pg_notify(${EVENTS_CHANNEL}, current_schema())`.execute(db);
    }),
  );
}

/**
 * An {@link EventHint} over `notify`: writes are counted in and out, and
 * `notify` is called when one that deferred leaves committed.
 *
 * @example
 * const hint = countedHint(coalesced(sendNotify));
 */
export function countedHint(notify: () => void): EventHint {
  let writing = 0;
  return {
    enter: () => ++writing > 1,
    leave: (send) => {
      writing--;
      if (send) notify();
    },
  };
}

/**
 * A coalescing caller of `send`: at most one call on its way at a time, and
 * one more after it when asked meanwhile. Errors are dropped: the hint is
 * only a hint.
 *
 * @example
 * const notify = coalesced(() => sql`select pg_notify('cb_events', '')`.execute(db));
 * notify(); notify(); // one call, then one more
 */
export function coalesced(send: () => Promise<void>): () => void {
  let sending = false;
  let again = false;
  const run = async () => {
    sending = true;
    try {
      do {
        again = false;
        await send().catch(() => {});
      } while (again);
    } finally {
      sending = false;
    }
  };
  return () => {
    if (sending) again = true;
    else void run();
  };
}
