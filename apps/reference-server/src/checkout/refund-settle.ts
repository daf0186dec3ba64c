/**
 * Finishing a checkout's refund from its gateway's verified webhook, inside
 * the inbound processor's transaction. Razorpay answers most UPI refunds,
 * and Stripe some methods' refunds, as `pending`; the ledger and the
 * payment already count the refund when it is asked, so the webhook only
 * says what happened at the gateway. The refund row is locked and a final
 * status is final, so a replayed webhook or a retry storm acts once:
 * `refund_succeeded` records `payment.refund.issued` and `refund.completed`;
 * `refund_failed` raises an operator alert — the payer has not had the
 * money back although the books say so, and an operator must refund again
 * or pay out by hand.
 */
import type { RefundWebhookOutcome } from '@clinicbridge/adapters';
import type { Kysely } from 'kysely';
import { raiseAlert } from '../alerts/raise.ts';
import type { DB, Row } from '../db/schema.ts';
import { type RefundCompleted, recordRefundCompleted, refOf } from './service.ts';

type Finished = Extract<RefundWebhookOutcome, { kind: 'refund_succeeded' | 'refund_failed' }>;

/**
 * Applies a gateway's refund webhook to the checkout refund it names;
 * resolves to what was done, or null when no checkout refund has this
 * gateway refund id (a refund made outside checkouts).
 *
 * @example
 * const reason = await settleCheckoutRefund(trx, 'razorpay', readRazorpayRefundEvent(payload), now);
 */
export async function settleCheckoutRefund(
  trx: Kysely<DB>,
  gateway: Row<'checkouts'>['gateway'],
  outcome: Finished,
  now: Date,
): Promise<string | null> {
  const row = await trx
    .selectFrom('checkout_refunds')
    .selectAll()
    .where('gateway', '=', gateway)
    .where('provider_refund_id', '=', outcome.providerRefundId)
    .forUpdate()
    .executeTakeFirst();
  if (!row) return null;
  if (row.status !== 'pending') return `refund ${row.id} is already ${row.status}`;
  const status = outcome.kind === 'refund_succeeded' ? 'succeeded' : 'failed';
  await trx
    .updateTable('checkout_refunds')
    .set({ status, updated_at: now })
    .where('id', '=', row.id)
    .execute();
  const refund = await trx
    .selectFrom('refunds')
    .select(['payment_id', 'invoice_id', 'reason'])
    .where('id', '=', row.id)
    .executeTakeFirstOrThrow();
  if (status === 'succeeded') {
    await recordRefundCompleted(
      trx,
      row.tenant_id,
      {
        checkoutId: row.checkout_id as `chk_${string}`,
        refundId: row.id as `ref_${string}`,
        paymentId: refund.payment_id as `pay_${string}`,
        invoiceId: refund.invoice_id as `inv_${string}`,
        gateway: row.gateway,
        amount: { amount: row.amount, currency: row.currency },
        reason: refund.reason as RefundCompleted['reason'],
        providerRefundId: refOf(row.provider_refund_id),
      },
      now,
    );
    return `refund ${row.id} completed at ${gateway}`;
  }
  await raiseAlert(trx, {
    tenantId: row.tenant_id,
    kind: 'checkout_refund_failed',
    message: `The ${gateway} refund ${row.provider_refund_id} of checkout ${row.checkout_id} failed at the gateway; the payer has not been paid back. Refund again at the gateway or pay out by hand.`,
    details: {
      checkoutId: row.checkout_id,
      refundId: row.id,
      gateway,
      providerRefundId: row.provider_refund_id,
      amount: row.amount,
      currency: row.currency,
    },
    now,
  });
  return `refund ${row.id} failed at ${gateway}; alerted`;
}
