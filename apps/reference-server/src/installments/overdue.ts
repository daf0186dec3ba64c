/**
 * The overdue job: parts whose due date has passed are leased with
 * `FOR UPDATE SKIP LOCKED` (scheduler/lease-due.ts) and settled one by one,
 * each in its own transaction, so several processes share the work and a
 * part's `installment.overdue` is raised once.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Logger } from '../observability/logger.ts';
import type { BusJob } from '../scheduler/dispatcher.ts';
import { leaseDue } from '../scheduler/lease-due.ts';
import { settlePart } from './service.ts';

/** Parts leased per pass, and how long a lease lasts before another process may take the part. */
const LEASE = { batch: 50, leaseMs: 60_000 };

/**
 * Settles the parts that came due; resolves to how many were found overdue.
 *
 * @example
 * await raiseOverdueInstallments(db, new Date());
 */
export async function raiseOverdueInstallments(
  db: Kysely<DB>,
  now: Date,
  logger?: Logger,
): Promise<number> {
  const due = await leaseDue(db, 'installment_parts', now, LEASE);
  let raised = 0;
  for (const part of due) {
    try {
      if (await db.transaction().execute((trx) => settlePart(trx, part.id, now))) raised++;
    } catch (error) {
      logger?.error(
        { err: error, partId: part.id },
        'installment check failed; retried when its lease ends',
      );
    }
  }
  return raised;
}

/**
 * The overdue job for the scheduler.
 *
 * @example
 * const jobs = [installmentOverdueJob(db, logger)];
 */
export function installmentOverdueJob(db: Kysely<DB>, logger: Logger): BusJob {
  return (now) => raiseOverdueInstallments(db, now, logger);
}
