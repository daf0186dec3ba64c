/**
 * Gateway checkouts: paying an invoice through the configured gateway
 * (Stripe, iyzico, Razorpay UPI or cards). Creating a checkout opens a
 * payment at the gateway and hands back what the payer's browser or app
 * needs; the gateway's signed webhook then settles it — the payment is
 * recorded, the ledger posts, and an escrow is held when the checkout
 * carries the case's milestones. A failed or cancelled checkout never
 * charges. Refunds go back to the original method through the gateway,
 * never above what was captured.
 */
import * as z from 'zod/mini';
import { money, positiveMoneyInput, text, timestamp } from '../common.ts';
import { idSchema } from '../ids.ts';
import { defineOperation } from '../operation.ts';
import { milestoneCode } from './escrows.ts';

/**
 * The gateways a checkout can go through.
 *
 * @example
 * checkoutGateway.parse('razorpay');
 */
export const checkoutGateway = z.enum(['stripe', 'iyzico', 'razorpay']);

/**
 * How the payer pays at the gateway (UPI through Razorpay only).
 *
 * @example
 * checkoutMethod.parse('upi');
 */
export const checkoutMethod = z.enum(['card', 'upi']);

/**
 * Why money goes back: a code, never free text.
 *
 * @example
 * gatewayRefundReason.parse('treatment_cancelled');
 */
export const gatewayRefundReason = z.enum([
  'requested_by_customer',
  'duplicate',
  'fraudulent',
  'treatment_cancelled',
]);

/**
 * A checkout: one payment attempt at a gateway for an invoice.
 *
 * @example
 * const c = checkout.parse(await res.json());
 */
export const checkout = z.object({
  id: idSchema('chk'),
  invoiceId: idSchema('inv'),
  gateway: checkoutGateway,
  method: checkoutMethod,
  amount: money,
  amountRefunded: money,
  /** `pending` until the gateway's webhook settles it; `succeeded`, `failed` and `cancelled` are final. */
  status: z.enum(['pending', 'succeeded', 'failed', 'cancelled']),
  /** The gateway's id of the payment attempt (PaymentIntent, order, checkout-form token). */
  providerRef: z.nullable(z.string()),
  /** What the payer's browser or app completes the payment with (Stripe client secret, Razorpay order id). */
  clientSecret: z.nullable(z.string()),
  /** The gateway's hosted payment page, when it uses one (iyzico). */
  redirectUrl: z.nullable(z.string()),
  /** The payment recorded once the gateway confirmed it. */
  paymentId: z.nullable(idSchema('pay')),
  /** The escrow the payment funds, when the checkout carried milestones. */
  escrowId: z.nullable(idSchema('esc')),
  /** The gateway's decline code of a failed checkout. */
  failureCode: z.nullable(z.string()),
  createdAt: timestamp,
  updatedAt: timestamp,
});

/** The payer details iyzico requires for every checkout; sent to iyzico, never stored. */
const iyzicoPayer = z.strictObject({
  id: text(64),
  name: text(100),
  surname: text(100),
  identityNumber: text(20),
  email: z.email(),
  registrationAddress: text(200),
  city: text(100),
  country: text(100),
  ip: z.union([z.ipv4(), z.ipv6()]),
});

const checkoutParams = z.strictObject({ checkoutId: idSchema('chk') });

/**
 * Pay (part of) an invoice through a gateway (`checkouts.create`).
 *
 * @example
 * await client.checkouts.create({ invoiceId, gateway: 'stripe', method: 'card' });
 */
export const checkoutsCreate = defineOperation({
  id: 'checkouts.create',
  method: 'POST',
  path: '/api/v1/checkouts',
  summary: 'Pay an invoice through a gateway',
  scope: 'write:payments',
  write: true,
  status: 201,
  body: z.strictObject({
    invoiceId: idSchema('inv'),
    gateway: checkoutGateway,
    /** Default `card`. */
    method: z.optional(checkoutMethod),
    /** Defaults to the invoice's balance; less is a deposit. */
    amount: z.optional(positiveMoneyInput),
    /** Where a hosted page returns the payer to (iyzico requires it). */
    returnUrl: z.optional(z.url({ protocol: /^https?$/ }).check(z.maxLength(2_000))),
    /** iyzico's mandatory payer fields; passed to iyzico and not kept. */
    payer: z.optional(iyzicoPayer),
    /** The case's milestones: the captured payment is held in escrow, one tranche each. */
    escrow: z.optional(
      z.strictObject({
        milestones: z
          .array(z.strictObject({ code: milestoneCode, amount: positiveMoneyInput }))
          .check(
            z.minLength(1),
            z.maxLength(20),
            z.refine(
              (m) => new Set(m.map((x) => x.code)).size === m.length,
              'milestone codes must be unique',
            ),
          ),
        expiresAt: z.optional(timestamp),
      }),
    ),
  }),
  response: checkout,
});

/**
 * Get a checkout (`checkouts.get`).
 *
 * @example
 * await client.checkouts.get({ checkoutId });
 */
export const checkoutsGet = defineOperation({
  id: 'checkouts.get',
  method: 'GET',
  path: '/api/v1/checkouts/{checkoutId}',
  summary: 'Get a checkout',
  scope: 'read:payments',
  write: false,
  status: 200,
  params: checkoutParams,
  response: checkout,
});

/**
 * Refund (part of) a succeeded checkout to the original method through its
 * gateway, never above what is left of the capture (`checkouts.refund`).
 *
 * @example
 * await client.checkouts.refund({ checkoutId }, { amount: { amount: 5000, currency: 'EUR' }, reason: 'treatment_cancelled' });
 */
export const checkoutsRefund = defineOperation({
  id: 'checkouts.refund',
  method: 'POST',
  path: '/api/v1/checkouts/{checkoutId}/refund',
  summary: 'Refund a checkout to the original method through its gateway',
  scope: 'write:payments',
  write: true,
  status: 200,
  params: checkoutParams,
  body: z.strictObject({ amount: positiveMoneyInput, reason: gatewayRefundReason }),
  response: checkout,
});

/**
 * Operations on checkouts.
 *
 * @example
 * checkoutOperations.create.path; // '/api/v1/checkouts'
 */
export const checkoutOperations = {
  create: checkoutsCreate,
  get: checkoutsGet,
  refund: checkoutsRefund,
} as const;
