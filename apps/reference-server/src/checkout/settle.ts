/**
 * Settling a checkout from its gateway's verified webhook, inside the
 * inbound processor's transaction. The checkout row is locked first and a
 * final status is final (also enforced by a trigger), so a replayed
 * webhook, a gateway's retry storm, or two events for one payment (Razorpay
 * sends `payment.captured` and `order.paid`) settle it once. On success the
 * payment is recorded (the invoice is marked paid when settled), the
 * ledger posts the capture from gateway clearing — to the clinic's payable
 * account, or to an escrow holding one tranche per milestone when the
 * checkout carried the case's milestones — and the catalogue events go
 * out. A failure or cancellation records `payment.failed` and posts nothing.
 * A success that reaches a checkout already failed, cancelled or expired
 * is not posted either — the payer was charged for a checkout the clinic
 * closed — so it raises one operator alert per gateway payment, to refund
 * it at the gateway or settle it by hand.
 */
import type { PaymentWebhookOutcome } from '@clinicbridge/adapters';
import type { Kysely } from 'kysely';
import { raiseAlert } from '../alerts/raise.ts';
import type { DB, Row } from '../db/schema.ts';
import { requireInvoice, toInvoice } from '../invoices/service.ts';
import type { ChangeContext } from '../kernel/change.ts';
import { recordEvent } from '../kernel/outbox.ts';
import { holdEscrow, tenantAccounts } from '../money/escrow.ts';
import { createTransfer } from '../money/ledger.ts';
import { recordPayment } from '../payments/service.ts';
import { recordCheckoutFailure } from './service.ts';

/**
 * A webhook that names a checkout but cannot apply to it (another amount or
 * currency than was asked): retrying cannot help.
 *
 * @example
 * throw new CheckoutMismatchError('the webhook is for 500 EUR; the checkout asked 900 EUR');
 */
export class CheckoutMismatchError extends Error {
  override readonly name = 'CheckoutMismatchError';
}

type Settled = Exclude<PaymentWebhookOutcome, { kind: 'ignored' | 'invalid' }>;

interface EscrowPlan {
  milestones: { code: string; amount: { amount: number; currency: string } }[];
  expiresAt?: string;
}

async function lockCheckout(
  trx: Kysely<DB>,
  gateway: Row<'checkouts'>['gateway'],
  providerRef: string,
): Promise<Row<'checkouts'> | undefined> {
  return trx
    .selectFrom('checkouts')
    .selectAll()
    .where('gateway', '=', gateway)
    .where('provider_ref', '=', providerRef)
    .forUpdate()
    .executeTakeFirst();
}

async function postCapture(
  trx: Kysely<DB>,
  change: ChangeContext,
  row: Row<'checkouts'>,
  paymentId: string,
): Promise<string | null> {
  if (row.escrow_plan) {
    const plan = JSON.parse(row.escrow_plan) as EscrowPlan;
    const escrow = await holdEscrow(trx, change, {
      paymentId,
      milestones: plan.milestones,
      expiresAt: plan.expiresAt,
    });
    // What the milestones do not hold is the clinic's at once.
    const rest = row.amount - escrow.held.amount;
    if (rest > 0) await postToPayable(trx, change, row, rest);
    return escrow.id;
  }
  await postToPayable(trx, change, row, row.amount);
  return null;
}

async function postToPayable(
  trx: Kysely<DB>,
  change: ChangeContext,
  row: Row<'checkouts'>,
  amount: number,
): Promise<void> {
  const [clearing, payable] = await tenantAccounts(trx, row.tenant_id, row.currency, change.now);
  await createTransfer(
    trx,
    {
      tenantId: row.tenant_id,
      key: `checkout:${row.id}:capture`,
      debitAccountId: clearing.id,
      creditAccountId: payable.id,
      amount,
      currency: row.currency,
    },
    change.now,
  );
}

async function succeed(
  trx: Kysely<DB>,
  row: Row<'checkouts'>,
  outcome: Settled,
  now: Date,
): Promise<string> {
  const change: ChangeContext = {
    tenantId: row.tenant_id,
    actor: { type: 'system', id: `gateway:${row.gateway}` },
    requestId: null,
    now,
  };
  const payment = await recordPayment(trx, change, {
    invoiceId: row.invoice_id,
    amount: { amount: row.amount, currency: row.currency },
    method: row.method,
    source: 'gateway',
    externalRef: outcome.providerPaymentId,
  });
  const escrowId = await postCapture(trx, change, row, payment.id);
  await trx
    .updateTable('checkouts')
    .set({
      status: 'succeeded',
      payment_id: payment.id,
      provider_payment_id: outcome.providerPaymentId,
      escrow_id: escrowId,
      updated_at: now,
    })
    .where('id', '=', row.id)
    .execute();
  const invoice = toInvoice(await requireInvoice(trx, row.tenant_id, row.invoice_id));
  const data = {
    checkoutId: row.id as `chk_${string}`,
    paymentId: payment.id,
    invoiceId: payment.invoiceId,
    gateway: row.gateway,
    method: row.method,
    amount: payment.amount,
    invoiceBalance: invoice.balance,
  };
  const event = {
    tenantId: row.tenant_id,
    entityType: 'checkout',
    entityId: row.id,
    occurredAt: now,
  };
  await recordEvent(trx, {
    ...event,
    type: 'payment.succeeded',
    data: { ...data, ...(escrowId ? { escrowId: escrowId as `esc_${string}` } : {}) },
  });
  await recordEvent(trx, {
    ...event,
    type: invoice.balance.amount === 0 ? 'payment.balance.paid' : 'payment.deposit.paid',
    data,
  });
  return `checkout ${row.id} succeeded: payment ${payment.id}`;
}

/** Alerts once per gateway payment that succeeded after its checkout was closed. */
async function alertLateCapture(
  trx: Kysely<DB>,
  row: Row<'checkouts'>,
  outcome: Settled,
  now: Date,
): Promise<string> {
  const paymentRef = outcome.providerPaymentId;
  const closed = `checkout ${row.id} is already ${row.status}`;
  if (row.late_capture_ref === paymentRef) return closed;
  await trx
    .updateTable('checkouts')
    .set({ late_capture_ref: paymentRef, updated_at: now })
    .where('id', '=', row.id)
    .execute();
  await raiseAlert(trx, {
    tenantId: row.tenant_id,
    kind: 'checkout_captured_after_close',
    message: `The ${row.gateway} payment ${paymentRef} succeeded after checkout ${row.id} was ${row.failure_code ?? row.status}; nothing was posted. Refund it at the gateway, or record it by hand.`,
    details: {
      checkoutId: row.id,
      invoiceId: row.invoice_id,
      gateway: row.gateway,
      providerPaymentId: paymentRef,
      amount: row.amount,
      currency: row.currency,
    },
    now,
  });
  return `${closed}; late capture ${paymentRef} alerted`;
}

/**
 * Applies a gateway's webhook outcome to its checkout; resolves to what was
 * done, or null when no checkout has this gateway reference (a payment made
 * outside checkouts).
 *
 * @example
 * const reason = await settleCheckout(trx, 'razorpay', readRazorpayPaymentEvent(payload), now);
 */
export async function settleCheckout(
  trx: Kysely<DB>,
  gateway: Row<'checkouts'>['gateway'],
  outcome: Settled,
  now: Date,
): Promise<string | null> {
  const row = await lockCheckout(trx, gateway, outcome.providerRef);
  if (!row) return null;
  if (row.status !== 'pending') {
    const late = outcome.kind === 'succeeded' && row.status !== 'succeeded';
    return late
      ? alertLateCapture(trx, row, outcome, now)
      : `checkout ${row.id} is already ${row.status}`;
  }
  // A failed intent reports nothing received; only a success must match what was asked.
  if (
    outcome.kind === 'succeeded' &&
    outcome.amount &&
    (outcome.amount.amount !== row.amount || outcome.amount.currency !== row.currency)
  ) {
    throw new CheckoutMismatchError(
      `the webhook is for ${outcome.amount.amount} ${outcome.amount.currency}; checkout ${row.id} asked ${row.amount} ${row.currency}`,
    );
  }
  if (outcome.kind === 'succeeded') return succeed(trx, row, outcome, now);
  const status = outcome.kind === 'cancelled' ? 'cancelled' : 'failed';
  const failed = await trx
    .updateTable('checkouts')
    .set({
      status,
      failure_code: outcome.failureCode ?? 'payment_failed',
      provider_payment_id: outcome.providerPaymentId,
      updated_at: now,
    })
    .where('id', '=', row.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordCheckoutFailure(trx, failed, now);
  return `checkout ${row.id} ${status}`;
}
