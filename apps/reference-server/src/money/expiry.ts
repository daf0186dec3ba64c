/**
 * The expiry job: escrows whose `expiresAt` has passed get their held
 * tranches voided as `expired` (disputed tranches stay frozen), each escrow
 * in its own transaction so one failure does not hold back the rest. The
 * escrow row lock makes a concurrent release and the expiry exclusive: a
 * tranche is released or expired, never both.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Logger } from '../observability/logger.ts';
import type { BusJob } from '../scheduler/dispatcher.ts';
import { dueEscrows, voidEscrow } from './escrow.ts';

/** Escrows expired per pass at most; the next pass takes the rest. */
const BATCH = 50;

/**
 * Expires the held tranches of escrows past their expiry; resolves to how many escrows it touched.
 *
 * @example
 * await expireStaleEscrows(db, new Date());
 */
export async function expireStaleEscrows(
  db: Kysely<DB>,
  now: Date,
  logger?: Logger,
): Promise<number> {
  const due = await dueEscrows(db, now, BATCH);
  let done = 0;
  for (const escrow of due) {
    try {
      await db.transaction().execute((trx) =>
        voidEscrow(
          trx,
          {
            tenantId: escrow.tenant_id,
            actor: { type: 'system', id: 'escrow-expiry' },
            requestId: null,
            now,
          },
          escrow.id,
          'expired',
        ),
      );
      done++;
    } catch (error) {
      logger?.error({ err: error, escrowId: escrow.id }, 'escrow expiry failed; retried next pass');
    }
  }
  return done;
}

/**
 * The expiry job for the scheduler.
 *
 * @example
 * const jobs = [escrowExpiryJob(db, logger)];
 */
export function escrowExpiryJob(db: Kysely<DB>, logger: Logger): BusJob {
  return (now) => expireStaleEscrows(db, now, logger);
}
