/**
 * Gateway checkouts of invoices: open a payment at the configured gateway
 * (Stripe, iyzico, Razorpay), and refund a succeeded one to the original
 * method through the same gateway. Settling a checkout from the gateway's
 * webhook is `./settle.ts`.
 *
 * The gateway is called inside the request's transaction, with the
 * checkout id (for refunds: the checkout and what it had refunded) as the
 * idempotency key, so a retried request repeats nothing at the gateway, and
 * a request that rolls back leaves at most an unpaid intent there — never a
 * charge, since only the gateway's webhook settles a checkout.
 */
import { isProviderError, type PaymentGateway, type ProviderError } from '@clinicbridge/adapters';
import { type Checkout, newId, type operations, type Refund } from '@clinicbridge/sdk/contract';
import type { Kysely } from 'kysely';
import type * as z from 'zod/mini';
import type { DB, Row } from '../db/schema.ts';
import { requireInvoice } from '../invoices/service.ts';
import type { ChangeContext } from '../kernel/change.ts';
import { recordEvent } from '../kernel/outbox.ts';
import { ApiError } from '../kernel/problem.ts';
import { recordChange } from '../kernel/record-change.ts';
import { tenantAccounts } from '../money/escrow.ts';
import { createTransfer } from '../money/ledger.ts';
import { issueRefund } from '../payments/service.ts';
import { withIyzicoPayer } from '../providers/iyzico-payers.ts';
import type { PaymentProviders } from '../providers/payments.ts';

/**
 * The configured gateways by name, read when a request runs.
 *
 * @example
 * const gateways: Gateways = () => context.providers.payments;
 */
export type Gateways = () => PaymentProviders['payments'];

type CreateBody = z.output<typeof operations.checkouts.create.body>;
type RefundBody = z.output<typeof operations.checkouts.refund.body>;

/**
 * The public view of a checkout row.
 *
 * @example
 * toCheckout(row).status; // 'pending'
 */
export function toCheckout(row: Row<'checkouts'>): Checkout {
  const money = (amount: number) => ({ amount, currency: row.currency });
  return {
    id: row.id as `chk_${string}`,
    invoiceId: row.invoice_id as `inv_${string}`,
    gateway: row.gateway,
    method: row.method,
    amount: money(row.amount),
    amountRefunded: money(row.amount_refunded),
    status: row.status,
    providerRef: row.provider_ref,
    clientSecret: row.client_secret,
    redirectUrl: row.redirect_url,
    paymentId: row.payment_id as `pay_${string}` | null,
    escrowId: row.escrow_id as `esc_${string}` | null,
    failureCode: row.failure_code,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/**
 * A checkout row of the tenant (locked when asked), or 404.
 *
 * @example
 * await requireCheckout(db, tenantId, 'chk_…');
 */
export async function requireCheckout(
  db: Kysely<DB>,
  tenantId: string,
  id: string,
  options: { lock?: boolean } = {},
): Promise<Row<'checkouts'>> {
  let query = db
    .selectFrom('checkouts')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id);
  if (options.lock) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (!row) throw new ApiError('not_found', `No checkout ${id} in this tenant.`);
  return row;
}

function requireGateway(gateways: Gateways, name: Checkout['gateway']): PaymentGateway {
  const gateway = gateways()[name];
  if (!gateway) {
    throw new ApiError(
      'unprocessable',
      `The ${name} gateway is not configured on this server; use another gateway or configure it.`,
    );
  }
  return gateway;
}

/** The gateway is down or refused our keys: nothing happened, the caller may retry. */
function gatewayUnavailable(error: ProviderError): ApiError {
  return new ApiError(
    'service_unavailable',
    `The ${error.provider} gateway could not be reached (${error.code}); retry later.`,
  );
}

/** A provider's decline code, as the catalogue's code shape; `fallback` when it is not one. */
const codeOf = (value: string | undefined, fallback: string) =>
  value && /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/.test(value) ? value.toLowerCase() : fallback;

/**
 * A provider's reference, as the catalogue's opaque-reference shape.
 *
 * @example
 * refOf('re_3Ob…'); // 're_3Ob…'; a reference with spaces becomes 'unreadable'
 */
export const refOf = (value: string) =>
  /^[A-Za-z0-9][A-Za-z0-9._:/+=#@-]{0,127}$/.test(value) ? value : 'unreadable';

function checkInput(body: CreateBody, invoice: Row<'invoices'>): number {
  if ((body.method ?? 'card') === 'upi' && body.gateway !== 'razorpay') {
    throw new ApiError('unprocessable', 'UPI payments go through the razorpay gateway.');
  }
  if (body.gateway === 'iyzico' && (!body.returnUrl || !body.payer)) {
    throw new ApiError('unprocessable', 'An iyzico checkout needs returnUrl and payer.');
  }
  if (invoice.status === 'void') {
    throw new ApiError('unprocessable', 'The invoice is void and accepts no payments.');
  }
  const balance = invoice.total - invoice.amount_paid;
  const amount = body.amount?.amount ?? balance;
  if (body.amount && body.amount.currency !== invoice.currency) {
    throw new ApiError(
      'currency_mismatch',
      `The invoice is in ${invoice.currency}; pay in that currency.`,
    );
  }
  if (amount < 1 || amount > balance) {
    throw new ApiError(
      'payment_exceeds_balance',
      `The checkout of ${amount} is not within the invoice balance of ${balance} (minor units).`,
    );
  }
  const milestones = body.escrow?.milestones ?? [];
  if (milestones.some((m) => m.amount.currency !== invoice.currency)) {
    throw new ApiError('currency_mismatch', `Hold the milestones in ${invoice.currency}.`);
  }
  const held = milestones.reduce((sum, m) => sum + m.amount.amount, 0);
  if (held > amount) {
    throw new ApiError(
      'unprocessable',
      `The milestones total ${held}, more than the ${amount} (minor units) of the checkout.`,
    );
  }
  return amount;
}

/**
 * Opens a payment for (part of) an invoice at a gateway. A decline at
 * creation is a `failed` checkout (and `payment.failed`); an unreachable
 * gateway is a 503 with nothing kept.
 *
 * @example
 * await createCheckout(trx, change, gateways, { invoiceId, gateway: 'stripe' });
 */
export async function createCheckout(
  db: Kysely<DB>,
  change: ChangeContext,
  gateways: Gateways,
  body: CreateBody,
): Promise<Checkout> {
  const gateway = requireGateway(gateways, body.gateway);
  const invoice = await requireInvoice(db, change.tenantId, body.invoiceId, { lock: true });
  const amount = checkInput(body, invoice);
  const id = newId('chk');
  const method = body.method ?? 'card';
  const row: Row<'checkouts'> = {
    id,
    tenant_id: change.tenantId,
    invoice_id: invoice.id,
    gateway: body.gateway,
    method,
    amount,
    currency: invoice.currency,
    amount_refunded: 0,
    status: 'pending',
    provider_ref: null,
    provider_payment_id: null,
    client_secret: null,
    redirect_url: null,
    payment_id: null,
    escrow_id: null,
    escrow_plan: body.escrow ? JSON.stringify(body.escrow) : null,
    failure_code: null,
    late_capture_ref: null,
    created_at: change.now,
    updated_at: change.now,
  };
  const open = () =>
    gateway.createIntent({
      reference: id,
      amountMinor: amount,
      currency: invoice.currency,
      method,
      captureMethod: 'automatic',
      ...(body.returnUrl ? { returnUrl: body.returnUrl } : {}),
      idempotencyKey: `checkout:${id}`,
      ...(change.requestId ? { correlationId: change.requestId } : {}),
    });
  try {
    const intent = body.payer ? await withIyzicoPayer(id, body.payer, open) : await open();
    row.provider_ref = intent.id;
    row.client_secret = intent.clientSecret ?? null;
    row.redirect_url = intent.redirectUrl ?? null;
  } catch (error) {
    if (!isProviderError(error)) throw error;
    if (error.code !== 'rejected' && error.code !== 'invalid_request')
      throw gatewayUnavailable(error);
    row.status = 'failed';
    row.failure_code = codeOf(error.providerCode, error.code);
  }
  await db.insertInto('checkouts').values(row).execute();
  const checkout = toCheckout(row);
  await recordChange(db, change, {
    action: 'checkout.created',
    entityType: 'checkout',
    entityId: id,
    audit: { invoiceId: invoice.id, gateway: row.gateway, amount, currency: row.currency },
    event: {
      type: 'payment.initiated',
      data: {
        checkoutId: checkout.id,
        invoiceId: checkout.invoiceId,
        gateway: checkout.gateway,
        method: checkout.method,
        amount: checkout.amount,
      },
    },
  });
  if (row.status === 'failed') await recordCheckoutFailure(db, row, change.now);
  return checkout;
}

/**
 * Records `payment.failed` for a checkout that failed (nothing is charged or posted).
 *
 * @example
 * await recordCheckoutFailure(trx, row, now);
 */
export async function recordCheckoutFailure(
  db: Kysely<DB>,
  row: Row<'checkouts'>,
  now: Date,
): Promise<void> {
  await recordEvent(db, {
    tenantId: row.tenant_id,
    type: 'payment.failed',
    entityType: 'checkout',
    entityId: row.id,
    data: {
      invoiceId: row.invoice_id as `inv_${string}`,
      amount: { amount: row.amount, currency: row.currency },
      failureCode: row.failure_code ?? 'payment_failed',
      ...(row.provider_ref ? { externalRef: refOf(row.provider_ref) } : {}),
      checkoutId: row.id as `chk_${string}`,
      gateway: row.gateway,
    },
    occurredAt: now,
  });
}

/**
 * Refunds (part of) a succeeded checkout to the original method through its
 * gateway: never above what is left of the capture (checked under the
 * checkout's lock, and by the database), recorded as a refund of the
 * payment, posted back from the clinic's payable to gateway clearing.
 *
 * @example
 * await refundCheckout(trx, change, gateways, 'chk_…', { amount: { amount: 500, currency: 'EUR' }, reason: 'duplicate' });
 */
export async function refundCheckout(
  db: Kysely<DB>,
  change: ChangeContext,
  gateways: Gateways,
  checkoutId: string,
  body: RefundBody,
): Promise<Checkout> {
  const row = await requireCheckout(db, change.tenantId, checkoutId, { lock: true });
  if (row.status !== 'succeeded' || !row.payment_id || !row.provider_payment_id) {
    throw new ApiError(
      'invalid_state_transition',
      `The checkout is ${row.status}; only a succeeded checkout can be refunded.`,
    );
  }
  if (row.escrow_id) {
    throw new ApiError(
      'conflict',
      `The payment is held in escrow ${row.escrow_id}; void and refund it through the escrow.`,
    );
  }
  if (body.amount.currency !== row.currency) {
    throw new ApiError('currency_mismatch', `The checkout is in ${row.currency}; refund in that.`);
  }
  const left = row.amount - row.amount_refunded;
  if (body.amount.amount > left) {
    throw new ApiError(
      'refund_exceeds_payment',
      `The refund of ${body.amount.amount} exceeds the ${left} (minor units) left of the payment.`,
    );
  }
  const gateway = requireGateway(gateways, row.gateway);
  const refund = await issueRefund(db, change, {
    paymentId: row.payment_id,
    amount: body.amount,
    reason: body.reason,
  });
  let sent: Awaited<ReturnType<PaymentGateway['refund']>>;
  try {
    sent = await gateway.refund({
      paymentId: row.provider_payment_id,
      amountMinor: body.amount.amount,
      currency: row.currency,
      reason: body.reason,
      // What was refunded before names this refund: a retry after a lost commit repeats nothing.
      idempotencyKey: `refund:${row.id}:${row.amount_refunded}:${body.amount.amount}`,
      ...(change.requestId ? { correlationId: change.requestId } : {}),
    });
  } catch (error) {
    if (!isProviderError(error)) throw error;
    if (error.code === 'rejected' || error.code === 'invalid_request') {
      throw new ApiError(
        'unprocessable',
        `The ${row.gateway} gateway refused the refund (${error.code}).`,
      );
    }
    throw gatewayUnavailable(error);
  }
  const [clearing, payable] = await tenantAccounts(db, change.tenantId, row.currency, change.now);
  await createTransfer(
    db,
    {
      tenantId: change.tenantId,
      key: `checkout:${row.id}:refund:${refund.id}`,
      debitAccountId: payable.id,
      creditAccountId: clearing.id,
      amount: body.amount.amount,
      currency: row.currency,
    },
    change.now,
  );
  const updated = await db
    .updateTable('checkouts')
    .set({ amount_refunded: row.amount_refunded + body.amount.amount, updated_at: change.now })
    .where('id', '=', row.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  const data = {
    checkoutId: row.id as `chk_${string}`,
    refundId: refund.id,
    paymentId: refund.paymentId,
    invoiceId: refund.invoiceId,
    gateway: row.gateway,
    amount: refund.amount,
    reason: body.reason,
  };
  await recordChange(db, change, {
    action: 'checkout.refund_requested',
    entityType: 'checkout',
    entityId: row.id,
    audit: { refundId: refund.id, amount: body.amount.amount, currency: row.currency },
    event: { type: 'payment.refund.initiated', data },
  });
  await db
    .insertInto('checkout_refunds')
    .values({
      id: refund.id,
      tenant_id: change.tenantId,
      checkout_id: row.id,
      gateway: row.gateway,
      provider_refund_id: sent.id,
      amount: body.amount.amount,
      currency: row.currency,
      status:
        sent.status === 'succeeded' ? 'succeeded' : sent.status === 'failed' ? 'failed' : 'pending',
      created_at: change.now,
      updated_at: change.now,
    })
    .execute();
  // A refund the gateway reports pending is finished by its webhook (./refund-settle.ts).
  if (sent.status === 'succeeded') {
    const done = { ...data, providerRefundId: refOf(sent.id) };
    await recordRefundCompleted(db, change.tenantId, done, change.now);
  }
  return toCheckout(updated);
}

/**
 * What `payment.refund.issued` and `refund.completed` say about a checkout's refund.
 *
 * @example
 * const data: RefundCompleted = { checkoutId: 'chk_1', refundId: 'ref_1', paymentId: 'pay_1', invoiceId: 'inv_1', gateway: 'stripe', amount, reason: 'duplicate', providerRefundId: 're_1' };
 */
export interface RefundCompleted {
  checkoutId: `chk_${string}`;
  refundId: Refund['id'];
  paymentId: Refund['paymentId'];
  invoiceId: Refund['invoiceId'];
  gateway: Row<'checkouts'>['gateway'];
  amount: Refund['amount'];
  reason: RefundBody['reason'];
  providerRefundId: string;
}

/**
 * Records that the gateway has returned a checkout's refund to the payer:
 * `payment.refund.issued` and `refund.completed`.
 *
 * @example
 * await recordRefundCompleted(trx, tenantId, data, now);
 */
export async function recordRefundCompleted(
  db: Kysely<DB>,
  tenantId: string,
  data: RefundCompleted,
  now: Date,
): Promise<void> {
  for (const type of ['payment.refund.issued', 'refund.completed'] as const) {
    await recordEvent(db, {
      tenantId,
      type,
      entityType: 'checkout',
      entityId: data.checkoutId,
      data,
      occurredAt: now,
    });
  }
}
