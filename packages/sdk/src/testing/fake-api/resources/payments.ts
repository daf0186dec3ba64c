/**
 * Payments and refunds in the fake API, checked against the money already
 * accepted: a payment must be in the invoice currency (`currency_mismatch`)
 * and never exceed its balance (`payment_exceeds_balance`); a refund must be
 * in the payment currency and never exceed what is left of the payment.
 */
import {
  newId,
  type Payment,
  paymentOperations,
  type Refund,
  refundOperations,
} from '../../../contract/index.ts';
import { type BoundHandler, defineHandler } from '../context.ts';
import { filterRows, findOr404 } from '../lookup.ts';
import { paginate } from '../pagination.ts';
import { ApiProblem } from '../problem.ts';
import type { TenantState } from '../tenant-state.ts';
import { withAmounts } from './invoices.ts';

/**
 * Records a refund of `amount` (minor units, the payment's currency) and
 * moves the payment's and its invoice's refunded totals, as the server's
 * refund does. The caller has checked the amount against what may be
 * refunded. Shared by `refunds.create` and escrow refunds.
 *
 * @example
 * const refund = recordRefund(ctx.tenant, payment, 500, 'duplicate charge', ctx.now);
 */
export function recordRefund(
  tenant: TenantState,
  payment: Payment,
  amount: number,
  reason: string,
  now: string,
): Refund {
  const refund: Refund = {
    id: newId('ref'),
    paymentId: payment.id,
    invoiceId: payment.invoiceId,
    amount: { amount, currency: payment.amount.currency },
    reason,
    status: 'succeeded',
    createdAt: now,
  };
  tenant.refunds.insert(refund);
  const refunded = payment.amountRefunded.amount + amount;
  tenant.payments.update({
    ...payment,
    amountRefunded: { amount: refunded, currency: payment.amount.currency },
    status: refunded === payment.amount.amount ? 'refunded' : 'partially_refunded',
  });
  const invoice = tenant.invoices.get(payment.invoiceId);
  if (invoice) {
    tenant.invoices.update(
      withAmounts(invoice, invoice.amountPaid.amount, invoice.amountRefunded.amount + amount, now),
    );
  }
  return refund;
}

/**
 * Handlers of the payment and refund operations.
 *
 * @example
 * const byId = new Map(paymentHandlers.map((h) => [h.op.id, h]));
 */
export const paymentHandlers: BoundHandler[] = [
  defineHandler(paymentOperations.create, (ctx) => {
    const b = ctx.body;
    const invoice = findOr404(ctx.tenant.invoices, b.invoiceId, 'invoice');
    if (invoice.status === 'void') {
      throw new ApiProblem('unprocessable', 'the invoice is void and accepts no payments');
    }
    if (b.amount.currency !== invoice.currency) {
      throw new ApiProblem(
        'currency_mismatch',
        `the invoice is in ${invoice.currency}; record the payment in that currency`,
      );
    }
    if (b.amount.amount > invoice.balance.amount) {
      throw new ApiProblem(
        'payment_exceeds_balance',
        `the payment of ${b.amount.amount} exceeds the invoice balance of ${invoice.balance.amount} (minor units)`,
      );
    }
    const payment: Payment = {
      id: newId('pay'),
      invoiceId: invoice.id,
      amount: { amount: b.amount.amount, currency: b.amount.currency },
      amountRefunded: { amount: 0, currency: b.amount.currency },
      method: b.method,
      source: b.source,
      externalRef: b.externalRef ?? null,
      status: 'succeeded',
      receivedAt: b.receivedAt ?? ctx.now,
      createdAt: ctx.now,
    };
    ctx.tenant.payments.insert(payment);
    const updated = ctx.tenant.invoices.update(
      withAmounts(
        invoice,
        invoice.amountPaid.amount + b.amount.amount,
        invoice.amountRefunded.amount,
        ctx.now,
      ),
    );
    ctx.emit(
      'payment.received',
      { type: 'payment', id: payment.id },
      {
        paymentId: payment.id,
        invoiceId: invoice.id,
        amount: payment.amount,
        method: payment.method,
        invoiceBalance: updated.balance,
      },
    );
    return { body: payment };
  }),
  defineHandler(paymentOperations.get, (ctx) => ({
    body: findOr404(ctx.tenant.payments, ctx.params.paymentId, 'payment'),
  })),
  defineHandler(paymentOperations.list, (ctx) => {
    const { limit, cursor, invoiceId } = ctx.query;
    const rows = filterRows(ctx.tenant.payments, { invoiceId });
    return { body: paginate(ctx.op.id, rows, { limit, cursor }, 'asc') };
  }),
  defineHandler(refundOperations.create, (ctx) => {
    const b = ctx.body;
    const payment = findOr404(ctx.tenant.payments, b.paymentId, 'payment');
    if (b.amount.currency !== payment.amount.currency) {
      throw new ApiProblem(
        'currency_mismatch',
        `the payment is in ${payment.amount.currency}; refund in that currency`,
      );
    }
    const refundable = payment.amount.amount - payment.amountRefunded.amount;
    if (b.amount.amount > refundable) {
      throw new ApiProblem(
        'refund_exceeds_payment',
        `the refund of ${b.amount.amount} exceeds the ${refundable} (minor units) left of the payment`,
      );
    }
    const refund = recordRefund(ctx.tenant, payment, b.amount.amount, b.reason, ctx.now);
    ctx.emit(
      'refund.issued',
      { type: 'refund', id: refund.id },
      {
        refundId: refund.id,
        paymentId: payment.id,
        invoiceId: payment.invoiceId,
        amount: refund.amount,
      },
    );
    return { body: refund };
  }),
  defineHandler(refundOperations.get, (ctx) => ({
    body: findOr404(ctx.tenant.refunds, ctx.params.refundId, 'refund'),
  })),
  defineHandler(refundOperations.list, (ctx) => {
    const { limit, cursor, paymentId } = ctx.query;
    const rows = filterRows(ctx.tenant.refunds, { paymentId });
    return { body: paginate(ctx.op.id, rows, { limit, cursor }, 'asc') };
  }),
];
