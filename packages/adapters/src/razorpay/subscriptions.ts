/**
 * `SubscriptionBilling` on Razorpay Subscriptions: `/v1/subscriptions`
 * (a plan and how many periods to bill), `PATCH` to change the plan from
 * the next cycle, `/v1/subscriptions/{id}/cancel` now or at the cycle's
 * end. Razorpay charges each cycle itself and reports it by webhook
 * (`subscription.charged`, `subscription.halted`, `payment.failed` of a
 * subscription's invoice, `subscription.cancelled`), read by
 * `readRazorpaySubscriptionEvent`. Razorpay needs no customer for a
 * subscription: the payer authorises the mandate on its hosted link.
 */
import { z } from 'zod';
import { segment } from '../core/adapter-options.ts';
import { callerKeys } from '../core/call-keys.ts';
import {
  CancelSubscriptionInputSchema,
  ChangeSubscriptionPlanInputSchema,
  CreateSubscriptionInputSchema,
  type GatewaySubscription,
  type GatewaySubscriptionStatus,
  plainCode,
  type SubscriptionBilling,
  type SubscriptionWebhookOutcome,
} from '../ports/subscriptions.ts';
import { parseInput } from '../ports/validate.ts';
import { createRazorpayClient, type RazorpayOptions } from './client.ts';

const RazorpaySubscription = z.object({
  id: z.string(),
  plan_id: z.string(),
  status: z.string(),
  notes: z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())]).nullish(),
});

const STATUS: Record<string, GatewaySubscriptionStatus> = {
  created: 'pending',
  authenticated: 'pending',
  active: 'active',
  pending: 'past_due',
  halted: 'halted',
  paused: 'halted',
  cancelled: 'cancelled',
  completed: 'cancelled',
  expired: 'cancelled',
};

const toSubscription = (
  sub: z.infer<typeof RazorpaySubscription>,
  cancelAtPeriodEnd = false,
): GatewaySubscription => {
  const notes = sub.notes && !Array.isArray(sub.notes) ? sub.notes : {};
  const reference = typeof notes.reference === 'string' ? notes.reference : undefined;
  return {
    id: sub.id,
    provider: 'razorpay',
    status: STATUS[sub.status] ?? 'pending',
    planId: sub.plan_id,
    cancelAtPeriodEnd,
    ...(reference ? { reference } : {}),
  };
};

/**
 * Creates a Razorpay {@link SubscriptionBilling}.
 *
 * @example
 * const billing = createRazorpaySubscriptions({ keyId: 'rzp_test_1', keySecret: process.env.RAZORPAY_KEY_SECRET! });
 * const sub = await billing.create({ reference: 'sub_1', customerRef: 'none', planId: 'plan_1', totalCount: 12 });
 */
export function createRazorpaySubscriptions(options: RazorpayOptions): SubscriptionBilling {
  const client = createRazorpayClient(options);
  return {
    provider: 'razorpay',

    async create(raw) {
      const operation = 'subscriptions.create';
      const input = parseInput(CreateSubscriptionInputSchema, raw, 'razorpay', operation);
      const sub = await client.json({
        operation,
        method: 'post',
        path: '/v1/subscriptions',
        json: {
          plan_id: input.planId,
          total_count: input.totalCount,
          customer_notify: 0,
          notes: { reference: input.reference },
        },
        schema: RazorpaySubscription,
        ...callerKeys(input),
      });
      return toSubscription(sub);
    },

    async changePlan(raw) {
      const operation = 'subscriptions.changePlan';
      const input = parseInput(ChangeSubscriptionPlanInputSchema, raw, 'razorpay', operation);
      const sub = await client.json({
        operation,
        method: 'patch',
        path: `/v1/subscriptions/${segment(input.subscriptionId)}`,
        json: { plan_id: input.planId, schedule_change_at: 'cycle_end' },
        schema: RazorpaySubscription,
        ...callerKeys(input),
      });
      // The change applies from the next cycle; the answer already names the new plan.
      return toSubscription({ ...sub, plan_id: input.planId });
    },

    async cancel(raw) {
      const operation = 'subscriptions.cancel';
      const input = parseInput(CancelSubscriptionInputSchema, raw, 'razorpay', operation);
      const sub = await client.json({
        operation,
        method: 'post',
        path: `/v1/subscriptions/${segment(input.subscriptionId)}/cancel`,
        json: { cancel_at_cycle_end: input.atPeriodEnd ? 1 : 0 },
        schema: RazorpaySubscription,
        ...callerKeys(input),
      });
      return toSubscription(sub, input.atPeriodEnd && sub.status !== 'cancelled');
    },
  };
}

const SubscriptionEntity = z.object({
  id: z.string().min(1).max(100),
  paid_count: z.number().int().nonnegative().nullish(),
});
const PaymentEntity = z.object({
  id: z.string().min(1).max(100),
  amount: z.number().int().nonnegative(),
  currency: z.string().regex(/^[A-Z]{3}$/),
  error_code: z.string().nullish(),
  error_reason: z.string().nullish(),
  subscription_id: z.string().min(1).max(100).nullish(),
});
const RazorpaySubscriptionEvent = z.object({
  event: z.string(),
  payload: z.object({
    subscription: z.object({ entity: SubscriptionEntity }).optional(),
    payment: z.object({ entity: PaymentEntity }).optional(),
  }),
});

const used = new Set([
  'subscription.charged',
  'subscription.halted',
  'subscription.cancelled',
  'payment.failed',
]);

/**
 * Reads a verified Razorpay webhook about a subscription:
 * `subscription.charged` (a cycle paid, the payment is the charge),
 * `subscription.halted` and a `payment.failed` naming a subscription (a
 * cycle not paid), `subscription.cancelled`. A `payment.failed` of no
 * subscription (an order's payment) and other events are `ignored`.
 *
 * @example
 * const outcome = readRazorpaySubscriptionEvent(JSON.parse(rawBody));
 * if (outcome.kind === 'renewal_paid') console.log(outcome.chargeId); // pay_…
 */
export function readRazorpaySubscriptionEvent(payload: unknown): SubscriptionWebhookOutcome {
  const type = String((payload as { event?: unknown } | null)?.event ?? '').slice(0, 100);
  if (!used.has(type)) return { kind: 'ignored', type };
  const parsed = RazorpaySubscriptionEvent.safeParse(payload);
  if (!parsed.success)
    return { kind: 'invalid', reason: 'the subscription event has no valid ids and amount' };
  const subscription = parsed.data.payload.subscription?.entity;
  const payment = parsed.data.payload.payment?.entity;
  const subscriptionId = subscription?.id ?? payment?.subscription_id ?? undefined;
  if (!subscriptionId) {
    return type === 'payment.failed'
      ? { kind: 'ignored', type: `${type}:no_subscription` }
      : { kind: 'invalid', reason: 'the subscription event names no subscription' };
  }
  const amount = payment ? { amount: payment.amount, currency: payment.currency } : undefined;
  if (type === 'subscription.cancelled') return { kind: 'cancelled', subscriptionId };
  if (type === 'subscription.charged') {
    if (!payment || !amount)
      return { kind: 'invalid', reason: 'the charge has no valid payment, amount and currency' };
    return { kind: 'renewal_paid', subscriptionId, chargeId: payment.id, amount };
  }
  return {
    kind: 'renewal_failed',
    subscriptionId,
    // A halt without a payment stands for the cycle after the last one paid.
    chargeId: payment?.id ?? `halted_${subscriptionId}_${subscription?.paid_count ?? 0}`,
    ...(amount ? { amount } : {}),
    failureCode: plainCode(
      payment?.error_reason ?? payment?.error_code?.toLowerCase(),
      'payment_failed',
    ),
  };
}
