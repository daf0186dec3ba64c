/**
 * Gateway checkouts in the fake API, with the reference server's checks: the
 * invoice exists, is not void, is in the checkout's currency and has at least
 * the amount left to pay; UPI goes through Razorpay only; iyzico needs a
 * return URL and the payer. There is no gateway here, so a checkout stays
 * `pending` (the server settles it from the gateway's webhook), and a refund
 * of a checkout that has not succeeded is refused as the server refuses it.
 */
import { type Checkout, checkoutOperations, newId } from '../../../contract/index.ts';
import { type BoundHandler, defineHandler } from '../context.ts';
import { findOr404 } from '../lookup.ts';
import { ApiProblem } from '../problem.ts';

/**
 * Handlers of the checkout operations.
 *
 * @example
 * const byId = new Map(checkoutHandlers.map((h) => [h.op.id, h]));
 */
export const checkoutHandlers: BoundHandler[] = [
  defineHandler(checkoutOperations.create, (ctx) => {
    const b = ctx.body;
    const invoice = findOr404(ctx.tenant.invoices, b.invoiceId, 'invoice');
    if (invoice.status === 'void') {
      throw new ApiProblem('unprocessable', 'the invoice is void and accepts no payments');
    }
    const amount = b.amount ?? invoice.balance;
    if (amount.currency !== invoice.currency) {
      throw new ApiProblem(
        'currency_mismatch',
        `the invoice is in ${invoice.currency}; pay in that currency`,
      );
    }
    if (amount.amount < 1 || amount.amount > invoice.balance.amount) {
      throw new ApiProblem(
        'payment_exceeds_balance',
        `the checkout of ${amount.amount} is not within the invoice balance of ${invoice.balance.amount} (minor units)`,
      );
    }
    const method = b.method ?? 'card';
    if (method === 'upi' && b.gateway !== 'razorpay') {
      throw new ApiProblem('unprocessable', 'UPI payments go through razorpay');
    }
    if (b.gateway === 'iyzico' && (!b.returnUrl || !b.payer)) {
      throw new ApiProblem('unprocessable', 'iyzico needs returnUrl and payer');
    }
    const id = newId('chk');
    const checkout: Checkout = {
      id,
      invoiceId: invoice.id,
      gateway: b.gateway,
      method,
      amount: { amount: amount.amount, currency: amount.currency },
      amountRefunded: { amount: 0, currency: amount.currency },
      status: 'pending',
      providerRef: `fake_${id}`,
      clientSecret: `fake_${id}_secret`,
      redirectUrl: null,
      paymentId: null,
      escrowId: null,
      failureCode: null,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    };
    ctx.tenant.checkouts.insert(checkout);
    ctx.emit(
      'payment.initiated',
      { type: 'checkout', id },
      {
        checkoutId: id,
        invoiceId: invoice.id,
        gateway: checkout.gateway,
        method,
        amount: checkout.amount,
      },
    );
    return { body: checkout };
  }),
  defineHandler(checkoutOperations.get, (ctx) => ({
    body: findOr404(ctx.tenant.checkouts, ctx.params.checkoutId, 'checkout'),
  })),
  defineHandler(checkoutOperations.refund, (ctx) => {
    const checkout = findOr404(ctx.tenant.checkouts, ctx.params.checkoutId, 'checkout');
    if (checkout.status !== 'succeeded') {
      throw new ApiProblem(
        'invalid_state_transition',
        `the checkout is ${checkout.status}; only a succeeded checkout can be refunded`,
      );
    }
    const left = checkout.amount.amount - checkout.amountRefunded.amount;
    if (ctx.body.amount.amount > left) {
      throw new ApiProblem(
        'refund_exceeds_payment',
        `the refund of ${ctx.body.amount.amount} exceeds the ${left} (minor units) left of the payment`,
      );
    }
    return { body: checkout };
  }),
];
