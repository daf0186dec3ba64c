/**
 * Retention of the relay's marks: rows of events relayed longer ago than
 * `RELAY_RETENTION` are deleted in bounded batches, at most once an
 * interval. Unrelayed rows are never deleted (they are the relay's backlog,
 * per sink: an event's mark for one sink goes while another's waits),
 * and the events themselves belong to the outbox and are not touched.
 */
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';

/** Rows deleted per run, so one run never holds locks for long. */
const BATCH = 1_000;

/**
 * Deletes one batch of marks of events relayed before `before`; resolves to rows deleted.
 *
 * @example
 * await pruneRelayed(db, new Date(Date.now() - 7 * 86_400_000));
 */
export async function pruneRelayed(db: Kysely<DB>, before: Date): Promise<number> {
  const result = await sql`
    delete from relay_events where (sink, event_id) in (
      select sink, event_id from relay_events where relayed_at < ${before} limit ${BATCH})`.execute(
    db,
  );
  return Number(result.numAffectedRows ?? 0);
}

/**
 * A dispatcher job pruning marks older than `retentionMs`, at most once per `everyMs`.
 *
 * @example
 * const jobs = [relayRetentionJob(db, 7 * 86_400_000)];
 */
export function relayRetentionJob(
  db: Kysely<DB>,
  retentionMs: number,
  everyMs = 3_600_000,
): (now: Date) => Promise<number> {
  let lastRun = Number.NEGATIVE_INFINITY;
  return async (now) => {
    if (now.getTime() - lastRun < everyMs) return 0;
    lastRun = now.getTime();
    // Housekeeping never counts as work that keeps the loop spinning.
    await pruneRelayed(db, new Date(now.getTime() - retentionMs));
    return 0;
  };
}
