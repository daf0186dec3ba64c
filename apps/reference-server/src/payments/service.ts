/**
 * Payments and refunds against invoices. A payment must be in the invoice
 * currency and never exceed its balance; a refund never exceeds what is
 * left of its payment. The invoice (and, for refunds, the payment) row is
 * locked `FOR UPDATE` first, so concurrent payments cannot both pass the
 * balance check; the database's check constraints back this up.
 */
import { newId, type Payment, type Refund } from '@clinicbridge/sdk/contract';
import type { Kysely } from 'kysely';
import type { DB, Row } from '../db/schema.ts';
import { requireInvoice, setInvoiceAmounts, toInvoice } from '../invoices/service.ts';
import type { ChangeContext } from '../kernel/change.ts';
import { listPage } from '../kernel/list.ts';
import { insertOwned, updateOwned } from '../kernel/owned.ts';
import { ApiError } from '../kernel/problem.ts';
import { recordChange } from '../kernel/record-change.ts';
import { requireOwned } from '../kernel/require-owned.ts';

/**
 * The public view of a payment row.
 *
 * @example
 * toPayment(row).status; // 'succeeded'
 */
export function toPayment(row: Row<'payments'>): Payment {
  return {
    id: row.id as `pay_${string}`,
    invoiceId: row.invoice_id as `inv_${string}`,
    amount: { amount: row.amount, currency: row.currency },
    amountRefunded: { amount: row.amount_refunded, currency: row.currency },
    method: row.method as Payment['method'],
    source: row.source as Payment['source'],
    externalRef: row.external_ref,
    status: row.status,
    receivedAt: row.received_at.toISOString(),
    createdAt: row.created_at.toISOString(),
  };
}

/**
 * The public view of a refund row.
 *
 * @example
 * toRefund(row).amount; // { amount: 400, currency: 'EUR' }
 */
export function toRefund(row: Row<'refunds'>): Refund {
  return {
    id: row.id as `ref_${string}`,
    paymentId: row.payment_id as `pay_${string}`,
    invoiceId: row.invoice_id as `inv_${string}`,
    amount: { amount: row.amount, currency: row.currency },
    reason: row.reason,
    status: row.status,
    createdAt: row.created_at.toISOString(),
  };
}

/**
 * A payment row of the tenant, or 404.
 *
 * @example
 * await requirePayment(db, tenantId, 'pay_…');
 */
export async function requirePayment(
  db: Kysely<DB>,
  tenantId: string,
  id: string,
  options: { lock?: boolean } = {},
): Promise<Row<'payments'>> {
  return requireOwned(db, 'payments', tenantId, id, options);
}

/**
 * A refund row of the tenant, or 404.
 *
 * @example
 * await requireRefund(db, tenantId, 'ref_…');
 */
export async function requireRefund(db: Kysely<DB>, tenantId: string, id: string) {
  return requireOwned(db, 'refunds', tenantId, id);
}

/**
 * A captured payment as reported by a terminal, a gateway or staff.
 *
 * @example
 * const input: NewPayment = { invoiceId, amount: { amount: 945, currency: 'EUR' }, method: 'card', source: 'terminal' };
 */
export interface NewPayment {
  invoiceId: string;
  amount: { amount: number; currency: string };
  method: string;
  source: string;
  externalRef?: string | undefined;
  receivedAt?: string | undefined;
}

/**
 * Records a payment against an invoice.
 *
 * @example
 * await recordPayment(trx, change, { invoiceId, amount: { amount: 945, currency: 'EUR' }, method: 'card', source: 'terminal' });
 */
export async function recordPayment(
  db: Kysely<DB>,
  change: ChangeContext,
  input: NewPayment,
): Promise<Payment> {
  const invoice = await requireInvoice(db, change.tenantId, input.invoiceId, { lock: true });
  if (invoice.status === 'void') {
    throw new ApiError('unprocessable', 'The invoice is void and accepts no payments.');
  }
  if (input.amount.currency !== invoice.currency) {
    throw new ApiError(
      'currency_mismatch',
      `The invoice is in ${invoice.currency}; record the payment in that currency.`,
    );
  }
  const balance = invoice.total - invoice.amount_paid;
  if (input.amount.amount > balance) {
    throw new ApiError(
      'payment_exceeds_balance',
      `The payment of ${input.amount.amount} exceeds the invoice balance of ${balance} (minor units).`,
    );
  }
  const row: Row<'payments'> = {
    id: newId('pay'),
    tenant_id: change.tenantId,
    invoice_id: invoice.id,
    amount: input.amount.amount,
    currency: invoice.currency,
    amount_refunded: 0,
    method: input.method,
    source: input.source,
    external_ref: input.externalRef ?? null,
    status: 'succeeded',
    received_at: input.receivedAt ? new Date(input.receivedAt) : change.now,
    created_at: change.now,
  };
  await insertOwned(db, 'payments', row);
  const updated = await setInvoiceAmounts(
    db,
    invoice,
    invoice.amount_paid + row.amount,
    invoice.amount_refunded,
    change.now,
  );
  const payment = toPayment(row);
  await recordChange(db, change, {
    action: 'payment.received',
    entityType: 'payment',
    entityId: row.id,
    audit: {
      invoiceId: invoice.id,
      amount: row.amount,
      currency: row.currency,
    },
    event: {
      type: 'payment.received',
      data: {
        paymentId: payment.id,
        invoiceId: payment.invoiceId,
        amount: payment.amount,
        method: payment.method,
        invoiceBalance: toInvoice(updated).balance,
      },
    },
  });
  return payment;
}

/**
 * Refunds (part of) a payment.
 *
 * @example
 * await issueRefund(trx, change, { paymentId, amount: { amount: 400, currency: 'EUR' }, reason: 'overcharge' });
 */
export async function issueRefund(
  db: Kysely<DB>,
  change: ChangeContext,
  input: {
    paymentId: string;
    amount: { amount: number; currency: string };
    reason: string;
    /** The escrow whose voided money this refund returns, named in the event. */
    escrowId?: string;
  },
): Promise<Refund> {
  // Lock order invoice → payment everywhere, so two refunds cannot deadlock.
  const unlocked = await requirePayment(db, change.tenantId, input.paymentId);
  const invoice = await requireInvoice(db, change.tenantId, unlocked.invoice_id, { lock: true });
  const payment = await requirePayment(db, change.tenantId, input.paymentId, { lock: true });
  if (input.amount.currency !== payment.currency) {
    throw new ApiError(
      'currency_mismatch',
      `The payment is in ${payment.currency}; refund in that currency.`,
    );
  }
  const refundable = payment.amount - payment.amount_refunded;
  if (input.amount.amount > refundable) {
    throw new ApiError(
      'refund_exceeds_payment',
      `The refund of ${input.amount.amount} exceeds the ${refundable} (minor units) left of the payment.`,
    );
  }
  const row: Row<'refunds'> = {
    id: newId('ref'),
    tenant_id: change.tenantId,
    payment_id: payment.id,
    invoice_id: payment.invoice_id,
    amount: input.amount.amount,
    currency: payment.currency,
    reason: input.reason,
    status: 'succeeded',
    created_at: change.now,
  };
  await insertOwned(db, 'refunds', row);
  const refunded = payment.amount_refunded + row.amount;
  await updateOwned(db, 'payments', change.tenantId, payment.id, {
    amount_refunded: refunded,
    status: refunded === payment.amount ? 'refunded' : 'partially_refunded',
  });
  await setInvoiceAmounts(
    db,
    invoice,
    invoice.amount_paid,
    invoice.amount_refunded + row.amount,
    change.now,
  );
  const refund = toRefund(row);
  await recordChange(db, change, {
    action: 'refund.issued',
    entityType: 'refund',
    entityId: row.id,
    audit: {
      paymentId: payment.id,
      amount: row.amount,
      currency: row.currency,
    },
    event: {
      type: 'refund.issued',
      data: {
        refundId: refund.id,
        paymentId: refund.paymentId,
        invoiceId: refund.invoiceId,
        amount: refund.amount,
        ...(input.escrowId ? { escrowId: input.escrowId as `esc_${string}` } : {}),
      },
    },
  });
  return refund;
}

/**
 * Lists payments, optionally of one invoice.
 *
 * @example
 * await listPayments(db, tenantId, { invoiceId: 'inv_…' });
 */
export function listPayments(
  db: Kysely<DB>,
  tenantId: string,
  query: {
    limit?: number | undefined;
    cursor?: string | undefined;
    invoiceId?: string | undefined;
  },
) {
  return listPage(
    db,
    'payments',
    tenantId,
    query,
    [query.invoiceId !== undefined && ['invoice_id', '=', query.invoiceId]],
    toPayment,
  );
}

/**
 * Lists refunds, optionally of one payment.
 *
 * @example
 * await listRefunds(db, tenantId, { paymentId: 'pay_…' });
 */
export function listRefunds(
  db: Kysely<DB>,
  tenantId: string,
  query: {
    limit?: number | undefined;
    cursor?: string | undefined;
    paymentId?: string | undefined;
  },
) {
  return listPage(
    db,
    'refunds',
    tenantId,
    query,
    [query.paymentId !== undefined && ['payment_id', '=', query.paymentId]],
    toRefund,
  );
}
