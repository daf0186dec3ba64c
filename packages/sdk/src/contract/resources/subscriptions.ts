/**
 * Subscriptions: a patient's recurring plan billed by a gateway (Stripe or
 * Razorpay). ClinicBridge creates, changes and cancels the subscription at
 * the gateway; the gateway charges each period itself and its signed
 * webhook tells ClinicBridge: a paid period posts to the ledger once
 * (`subscription.renewed`), a failed one posts nothing
 * (`subscription.payment_failed`), a cancellation ends it.
 */
import * as z from 'zod/mini';
import { listQuery, money, page, positiveMoneyInput, timestamp } from '../common.ts';
import { idSchema } from '../ids.ts';
import { defineOperation } from '../operation.ts';

/**
 * The gateways that bill subscriptions.
 *
 * @example
 * subscriptionGateway.parse('razorpay');
 */
export const subscriptionGateway = z.enum(['stripe', 'razorpay']);

/**
 * How often a subscription bills.
 *
 * @example
 * subscriptionInterval.parse('month');
 */
export const subscriptionInterval = z.enum(['week', 'month', 'year']);

/**
 * A subscription's state: `active` while periods are paid, `past_due` after
 * a failed charge (until one is paid), `cancelled` is final.
 *
 * @example
 * subscriptionStatus.parse('past_due');
 */
export const subscriptionStatus = z.enum(['active', 'past_due', 'cancelled']);

/** A gateway's plan, price or customer id: opaque, never a name. */
const gatewayRef = z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/));

/**
 * A subscription.
 *
 * @example
 * const s = subscription.parse(await res.json());
 */
export const subscription = z.object({
  id: idSchema('sbs'),
  patientId: idSchema('pat'),
  gateway: subscriptionGateway,
  /** The gateway's plan (Razorpay) or price (Stripe) the periods bill. */
  planId: z.string(),
  /** What each period bills, in minor units. */
  amount: money,
  interval: subscriptionInterval,
  status: subscriptionStatus,
  /** True when the subscription ends with its current period. */
  cancelAtPeriodEnd: z.boolean(),
  /** The gateway's subscription id. */
  providerRef: z.string(),
  /** Periods paid so far (each posted to the ledger once). */
  periodsPaid: z.int(),
  /** The gateway's decline code of the last failed charge, until a period is paid. */
  failureCode: z.nullable(z.string()),
  cancelledAt: z.nullable(timestamp),
  createdAt: timestamp,
  updatedAt: timestamp,
});

const subscriptionParams = z.strictObject({ subscriptionId: idSchema('sbs') });

/**
 * Start a patient's subscription at a gateway (`subscriptions.create`).
 *
 * @example
 * await client.subscriptions.create({ patientId, gateway: 'stripe', planId: 'price_1', customerRef: 'cus_1', amount: { amount: 2900, currency: 'EUR' }, interval: 'month' });
 */
export const subscriptionsCreate = defineOperation({
  id: 'subscriptions.create',
  method: 'POST',
  path: '/api/v1/subscriptions',
  summary: 'Start a subscription at a gateway',
  scope: 'write:payments',
  write: true,
  status: 201,
  body: z.strictObject({
    patientId: idSchema('pat'),
    gateway: subscriptionGateway,
    planId: gatewayRef,
    /** The gateway's customer (Stripe requires one; Razorpay takes none). */
    customerRef: z.optional(gatewayRef),
    /** What each period bills, as the plan at the gateway does. */
    amount: positiveMoneyInput,
    interval: subscriptionInterval,
  }),
  response: subscription,
});

/**
 * Get a subscription (`subscriptions.get`).
 *
 * @example
 * await client.subscriptions.get({ subscriptionId });
 */
export const subscriptionsGet = defineOperation({
  id: 'subscriptions.get',
  method: 'GET',
  path: '/api/v1/subscriptions/{subscriptionId}',
  summary: 'Get a subscription',
  scope: 'read:payments',
  write: false,
  status: 200,
  params: subscriptionParams,
  response: subscription,
});

/**
 * List subscriptions, optionally of one patient (`subscriptions.list`).
 *
 * @example
 * await client.subscriptions.list({ patientId });
 */
export const subscriptionsList = defineOperation({
  id: 'subscriptions.list',
  method: 'GET',
  path: '/api/v1/subscriptions',
  summary: 'List subscriptions',
  scope: 'read:payments',
  write: false,
  status: 200,
  query: listQuery({ patientId: z.optional(idSchema('pat')) }),
  response: page(subscription),
});

/**
 * Move a subscription to another plan from its next period
 * (`subscriptions.changePlan`).
 *
 * @example
 * await client.subscriptions.changePlan({ subscriptionId }, { planId: 'price_2', amount: { amount: 4900, currency: 'EUR' } });
 */
export const subscriptionsChangePlan = defineOperation({
  id: 'subscriptions.changePlan',
  method: 'POST',
  path: '/api/v1/subscriptions/{subscriptionId}/change-plan',
  summary: 'Change the plan of a subscription',
  scope: 'write:payments',
  write: true,
  status: 200,
  params: subscriptionParams,
  body: z.strictObject({ planId: gatewayRef, amount: positiveMoneyInput }),
  response: subscription,
});

/**
 * Cancel a subscription at the end of its period (default) or now
 * (`subscriptions.cancel`).
 *
 * @example
 * await client.subscriptions.cancel({ subscriptionId }, { atPeriodEnd: false });
 */
export const subscriptionsCancel = defineOperation({
  id: 'subscriptions.cancel',
  method: 'POST',
  path: '/api/v1/subscriptions/{subscriptionId}/cancel',
  summary: 'Cancel a subscription',
  scope: 'write:payments',
  write: true,
  status: 200,
  params: subscriptionParams,
  body: z.strictObject({ atPeriodEnd: z.optional(z.boolean()) }),
  response: subscription,
});

/**
 * Operations on subscriptions.
 *
 * @example
 * subscriptionOperations.create.path; // '/api/v1/subscriptions'
 */
export const subscriptionOperations = {
  create: subscriptionsCreate,
  get: subscriptionsGet,
  list: subscriptionsList,
  changePlan: subscriptionsChangePlan,
  cancel: subscriptionsCancel,
} as const;
