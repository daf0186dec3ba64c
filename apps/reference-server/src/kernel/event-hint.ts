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
 * Hints of overlapping writes go out at most every `HINT_SPACING_MS`.
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
 * Under sustained overlapping writes, hints go out at most once per this
 * many milliseconds, each covering every commit before it. A hint is a
 * round trip and a commit of its own: sent as soon as the one before had
 * returned, it came to 0.8 a write at concurrency 10 (bench:write).
 * Listeners hear of an event this much later at most.
 *
 * @example
 * coalesced(send, HINT_SPACING_MS);
 */
export const HINT_SPACING_MS = 5;

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
    }, HINT_SPACING_MS),
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
 * A coalescing caller of `send`: a call with none on its way sends at once;
 * calls while one is on its way make one more, sent `spacingMs` after the
 * start of the one before. Errors are dropped: the hint is only a hint.
 *
 * @example
 * const notify = coalesced(() => sql`select pg_notify('cb_events', '')`.execute(db), 5);
 * notify(); notify(); // one send now, one more 5 ms after it started
 */
export function coalesced(send: () => Promise<void>, spacingMs = 0): () => void {
  let sending = false;
  let again = false;
  const run = async () => {
    sending = true;
    try {
      do {
        again = false;
        const started = performance.now();
        await send().catch(() => {});
        const rest = spacingMs - (performance.now() - started);
        if (again && rest > 0) await new Promise((resolve) => setTimeout(resolve, rest));
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
