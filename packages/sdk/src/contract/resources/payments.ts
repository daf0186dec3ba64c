/**
 * Payments and refunds. A payment is a confirmation from a card terminal or
 * a gateway that money was captured for an invoice. It is checked against
 * the invoice: same currency, never more than the balance, and never a
 * partial capture (the captured amount must equal the authorised amount).
 */
import * as z from 'zod/mini';
import {
  listQuery,
  money,
  page,
  positiveMoneyInput,
  text,
  timestamp,
  timestampInput,
} from '../common.ts';
import { idSchema } from '../ids.ts';
import { defineOperation } from '../operation.ts';

/**
 * How the patient paid.
 *
 * @example
 * paymentMethod.parse('upi');
 */
export const paymentMethod = z.enum(['card', 'cash', 'bank_transfer', 'upi', 'wallet']);
/**
 * Where the confirmation came from.
 *
 * @example
 * paymentSource.parse('terminal');
 */
export const paymentSource = z.enum(['terminal', 'gateway', 'manual']);

/**
 * A recorded payment.
 *
 * @example
 * const p = payment.parse(await res.json());
 */
export const payment = z.object({
  id: idSchema('pay'),
  invoiceId: idSchema('inv'),
  amount: money,
  amountRefunded: money,
  method: paymentMethod,
  source: paymentSource,
  externalRef: z.nullable(z.string()),
  status: z.enum(['succeeded', 'refunded', 'partially_refunded']),
  receivedAt: timestamp,
  createdAt: timestamp,
});

/**
 * A refund of (part of) a payment.
 *
 * @example
 * const r = refund.parse(await res.json());
 */
export const refund = z.object({
  id: idSchema('ref'),
  paymentId: idSchema('pay'),
  invoiceId: idSchema('inv'),
  amount: money,
  reason: z.string(),
  status: z.enum(['succeeded', 'pending', 'failed']),
  createdAt: timestamp,
});

/**
 * Record a captured payment against an invoice (`payments.create`).
 *
 * @example
 * await client.request(paymentsCreate, ...args); // same arguments as client.payments.create
 */
export const paymentsCreate = defineOperation({
  id: 'payments.create',
  method: 'POST',
  path: '/api/v1/payments',
  summary: 'Record a captured payment against an invoice',
  scope: 'write:payments',
  write: true,
  status: 201,
  body: z
    .strictObject({
      invoiceId: idSchema('inv'),
      amount: positiveMoneyInput,
      /** Amount the terminal or gateway authorised; must equal `amount` when given. */
      authorizedAmount: z.optional(positiveMoneyInput),
      method: paymentMethod,
      source: paymentSource,
      externalRef: z.optional(text(200)),
      receivedAt: z.optional(timestampInput),
    })
    .check(
      z.refine(
        (v) =>
          v.authorizedAmount === undefined ||
          (v.authorizedAmount.amount === v.amount.amount &&
            v.authorizedAmount.currency === v.amount.currency),
        {
          message: 'partial capture is not allowed: amount must equal authorizedAmount',
          path: ['amount'],
        },
      ),
    ),
  response: payment,
});

/**
 * Get a payment (`payments.get`).
 *
 * @example
 * await client.request(paymentsGet, ...args); // same arguments as client.payments.get
 */
export const paymentsGet = defineOperation({
  id: 'payments.get',
  method: 'GET',
  path: '/api/v1/payments/{paymentId}',
  summary: 'Get a payment',
  scope: 'read:payments',
  write: false,
  status: 200,
  params: z.strictObject({ paymentId: idSchema('pay') }),
  response: payment,
});

/**
 * List payments (`payments.list`).
 *
 * @example
 * await client.request(paymentsList, ...args); // same arguments as client.payments.list
 */
export const paymentsList = defineOperation({
  id: 'payments.list',
  method: 'GET',
  path: '/api/v1/payments',
  summary: 'List payments',
  scope: 'read:payments',
  write: false,
  status: 200,
  paginated: true,
  query: listQuery({ invoiceId: z.optional(idSchema('inv')) }),
  response: page(payment),
});

/**
 * Operations on payments.
 *
 * @example
 * paymentOperations.create.scope; // 'write:payments'
 */
export const paymentOperations = {
  create: paymentsCreate,
  get: paymentsGet,
  list: paymentsList,
} as const;

/**
 * Refund (part of) a payment, never more than was paid (`refunds.create`).
 *
 * @example
 * await client.request(refundsCreate, ...args); // same arguments as client.refunds.create
 */
export const refundsCreate = defineOperation({
  id: 'refunds.create',
  method: 'POST',
  path: '/api/v1/refunds',
  summary: 'Refund (part of) a payment, never more than was paid',
  scope: 'write:payments',
  write: true,
  status: 201,
  body: z.strictObject({
    paymentId: idSchema('pay'),
    amount: positiveMoneyInput,
    reason: text(500),
  }),
  response: refund,
});

/**
 * Get a refund (`refunds.get`).
 *
 * @example
 * await client.request(refundsGet, ...args); // same arguments as client.refunds.get
 */
export const refundsGet = defineOperation({
  id: 'refunds.get',
  method: 'GET',
  path: '/api/v1/refunds/{refundId}',
  summary: 'Get a refund',
  scope: 'read:payments',
  write: false,
  status: 200,
  params: z.strictObject({ refundId: idSchema('ref') }),
  response: refund,
});

/**
 * List refunds (`refunds.list`).
 *
 * @example
 * await client.request(refundsList, ...args); // same arguments as client.refunds.list
 */
export const refundsList = defineOperation({
  id: 'refunds.list',
  method: 'GET',
  path: '/api/v1/refunds',
  summary: 'List refunds',
  scope: 'read:payments',
  write: false,
  status: 200,
  paginated: true,
  query: listQuery({ paymentId: z.optional(idSchema('pay')) }),
  response: page(refund),
});

/**
 * Operations on refunds.
 *
 * @example
 * refundOperations.create.path; // '/api/v1/refunds'
 */
export const refundOperations = {
  create: refundsCreate,
  get: refundsGet,
  list: refundsList,
} as const;
