/**
 * Retention of the bus's bookkeeping, run as a dispatcher job at most once
 * an interval: acknowledged inbox rows, succeeded deliveries (with their
 * attempts) and processed inbound webhooks older than the retention period
 * are deleted in bounded batches. Dead letters, failed and unparseable
 * webhooks and alerts stay until an operator deals with them; the events
 * themselves belong to the outbox and are never touched here.
 */
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';

/** Rows deleted per table per run, so one run never holds locks for long. */
const BATCH = 1_000;

/**
 * Deletes one batch of expired rows per table; resolves to rows deleted.
 *
 * @example
 * await pruneBusTables(db, new Date(Date.now() - 30 * 86_400_000));
 */
export async function pruneBusTables(db: Kysely<DB>, before: Date): Promise<number> {
  const inbox = await sql`
    delete from subscriber_inbox where ctid in (
      select ctid from subscriber_inbox where status = 'done' and acked_at < ${before} limit ${BATCH})`.execute(
    db,
  );
  const deliveries = await sql`
    delete from deliveries where id in (
      select id from deliveries where status = 'succeeded' and updated_at < ${before} limit ${BATCH})`.execute(
    db,
  );
  const inbound = await sql`
    delete from inbound_webhooks where id in (
      select id from inbound_webhooks where status = 'processed' and processed_at < ${before} limit ${BATCH})`.execute(
    db,
  );
  return [inbox, deliveries, inbound].reduce((sum, r) => sum + Number(r.numAffectedRows ?? 0), 0);
}

/**
 * A dispatcher job pruning rows older than `retentionMs`, at most once per `everyMs`.
 *
 * @example
 * createEventBus({ database, config, jobs: [retentionJob(db, 30 * 86_400_000)] });
 */
export function retentionJob(
  db: Kysely<DB>,
  retentionMs: number,
  everyMs = 3_600_000,
): (now: Date) => Promise<number> {
  let lastRun = Number.NEGATIVE_INFINITY;
  return async (now) => {
    if (now.getTime() - lastRun < everyMs) return 0;
    lastRun = now.getTime();
    // Pruning is housekeeping: it never counts as work that keeps the loop spinning.
    await pruneBusTables(db, new Date(now.getTime() - retentionMs));
    return 0;
  };
}
