/**
 * The expiry job of abandoned checkouts: a checkout still pending
 * `CHECKOUT_EXPIRY` after it was opened is closed as `cancelled` with the
 * failure code `checkout_expired`, audited, and `payment.failed` goes out,
 * so the partner and the patient know the link is dead and the invoice is
 * open again for a new checkout. Each checkout closes in its own
 * transaction under its row lock (`SKIP LOCKED`), the lock a settling
 * webhook takes too: a checkout is settled or expired, never both. A
 * success that reaches a closed checkout afterwards is not posted; the
 * settle path raises an alert instead (see `./settle.ts`).
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { recordChange } from '../kernel/record-change.ts';
import type { Logger } from '../observability/logger.ts';
import type { BusJob } from '../scheduler/dispatcher.ts';
import { recordCheckoutFailure } from './service.ts';

/** Checkouts closed per pass at most; the next pass takes the rest. */
const BATCH = 50;

/** The failure code of a checkout the expiry job closed. */
export const CHECKOUT_EXPIRED = 'checkout_expired';

async function expireOne(db: Kysely<DB>, id: string, cutoff: Date, now: Date): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('checkouts')
      .selectAll()
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .where('created_at', '<', cutoff)
      .forUpdate()
      .skipLocked()
      .executeTakeFirst();
    // Settled meanwhile, or a webhook holds it now: that path decides.
    if (!row) return false;
    const closed = await trx
      .updateTable('checkouts')
      .set({ status: 'cancelled', failure_code: CHECKOUT_EXPIRED, updated_at: now })
      .where('id', '=', row.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordChange(
      trx,
      {
        tenantId: row.tenant_id,
        actor: { type: 'system', id: 'checkout-expiry' },
        requestId: null,
        now,
      },
      {
        action: 'checkout.expired',
        entityType: 'checkout',
        entityId: row.id,
        audit: { invoiceId: row.invoice_id, gateway: row.gateway, openedAt: row.created_at },
      },
    );
    await recordCheckoutFailure(trx, closed, now);
    return true;
  });
}

/**
 * Closes checkouts pending for longer than `expiryMs`; resolves to how many it closed.
 *
 * @example
 * await expireAbandonedCheckouts(db, 86_400_000, new Date());
 */
export async function expireAbandonedCheckouts(
  db: Kysely<DB>,
  expiryMs: number,
  now: Date,
  logger?: Logger,
): Promise<number> {
  const cutoff = new Date(now.getTime() - expiryMs);
  const due = await db
    .selectFrom('checkouts')
    .select('id')
    .where('status', '=', 'pending')
    .where('created_at', '<', cutoff)
    .orderBy('created_at')
    .limit(BATCH)
    .execute();
  let closed = 0;
  for (const { id } of due) {
    try {
      if (await expireOne(db, id, cutoff, now)) closed++;
    } catch (error) {
      logger?.error({ err: error, checkoutId: id }, 'checkout expiry failed; retried next pass');
    }
  }
  return closed;
}

/**
 * The expiry job for the scheduler.
 *
 * @example
 * const jobs = [checkoutExpiryJob(db, 86_400_000, logger)];
 */
export function checkoutExpiryJob(db: Kysely<DB>, expiryMs: number, logger: Logger): BusJob {
  return (now) => expireAbandonedCheckouts(db, expiryMs, now, logger);
}
