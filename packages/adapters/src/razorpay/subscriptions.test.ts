/** Razorpay subscriptions: the shared conformance suite, what is sent, and the webhook reader. */
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { describeSubscriptionBillingConformance } from '../ports/__fixtures__/subscription-billing.case.ts';
import { FakeRazorpay } from '../testing/razorpay.ts';
import { createRazorpaySubscriptions, readRazorpaySubscriptionEvent } from './index.ts';

const fast = { policies: { retry: { maxRetries: 3, baseDelayMs: 1, maxDelayMs: 2 } } };

describeSubscriptionBillingConformance({
  name: 'razorpay',
  setup() {
    const razorpay = new FakeRazorpay();
    return {
      billing: createRazorpaySubscriptions({
        keyId: razorpay.keyId,
        keySecret: razorpay.keySecret,
        ...fast,
      }),
      badCredentials: createRazorpaySubscriptions({
        keyId: razorpay.keyId,
        keySecret: 'wrong-secret',
        ...fast,
      }),
      handlers: razorpay.handlers(),
      subscriptionsCreated: () => razorpay.subscriptions.size,
      customerRef: 'none',
      plans: ['plan_Monthly0001', 'plan_Monthly0002'],
    };
  },
});

describe('razorpay subscription requests', () => {
  const server = setupServer();
  const razorpay = new FakeRazorpay();
  const billing = createRazorpaySubscriptions({
    keyId: razorpay.keyId,
    keySecret: razorpay.keySecret,
    ...fast,
  });
  beforeAll(() => {
    server.listen({ onUnhandledFrame: 'error' });
    server.use(...razorpay.handlers());
  });
  afterAll(() => server.close());

  test('creates with plan, periods and reference only; changes from the next cycle', async () => {
    const sub = await billing.create({
      reference: 'sub_r1',
      customerRef: 'none',
      planId: 'plan_A',
      totalCount: 12,
    });
    expect(sub.reference).toBe('sub_r1');
    expect(JSON.parse(razorpay.requests.at(-1)!.body)).toEqual({
      plan_id: 'plan_A',
      total_count: 12,
      customer_notify: 0,
      notes: { reference: 'sub_r1' },
    });
    await billing.changePlan({ subscriptionId: sub.id, planId: 'plan_B' });
    expect(razorpay.requests.at(-1)).toMatchObject({ method: 'PATCH' });
    expect(razorpay.subscriptions.get(sub.id)?.scheduled_plan_id).toBe('plan_B');
  });

  test('cancel at the cycle end keeps the subscription until then', async () => {
    const sub = await billing.create({
      reference: 'sub_r2',
      customerRef: 'none',
      planId: 'plan_A',
    });
    const ending = await billing.cancel({ subscriptionId: sub.id });
    expect(ending.cancelAtPeriodEnd).toBe(true);
    expect(razorpay.requests.at(-1)).toMatchObject({
      path: `/v1/subscriptions/${sub.id}/cancel`,
      body: JSON.stringify({ cancel_at_cycle_end: 1 }),
    });
  });
});

describe('readRazorpaySubscriptionEvent', () => {
  const subscription = { entity: { id: 'sub_R1', entity: 'subscription', paid_count: 3 } };
  const payment = (extra: object = {}) => ({
    entity: { id: 'pay_R1', amount: 49900, currency: 'INR', status: 'captured', ...extra },
  });

  test('subscription.charged is a paid cycle, the payment is the charge', () => {
    expect(
      readRazorpaySubscriptionEvent({
        event: 'subscription.charged',
        payload: { subscription, payment: payment() },
      }),
    ).toEqual({
      kind: 'renewal_paid',
      subscriptionId: 'sub_R1',
      chargeId: 'pay_R1',
      amount: { amount: 49900, currency: 'INR' },
    });
  });

  test('payment.failed of a subscription and subscription.halted are failed cycles', () => {
    expect(
      readRazorpaySubscriptionEvent({
        event: 'payment.failed',
        payload: {
          payment: payment({ subscription_id: 'sub_R1', error_reason: 'payment_timed_out' }),
        },
      }),
    ).toMatchObject({
      kind: 'renewal_failed',
      chargeId: 'pay_R1',
      failureCode: 'payment_timed_out',
    });
    expect(
      readRazorpaySubscriptionEvent({ event: 'subscription.halted', payload: { subscription } }),
    ).toEqual({
      kind: 'renewal_failed',
      subscriptionId: 'sub_R1',
      chargeId: 'halted_sub_R1_3',
      failureCode: 'payment_failed',
    });
  });

  test('subscription.cancelled is a cancellation; an order payment failure is ignored', () => {
    expect(
      readRazorpaySubscriptionEvent({ event: 'subscription.cancelled', payload: { subscription } }),
    ).toEqual({ kind: 'cancelled', subscriptionId: 'sub_R1' });
    expect(
      readRazorpaySubscriptionEvent({
        event: 'payment.failed',
        payload: { payment: payment({ order_id: 'order_1' }) },
      }).kind,
    ).toBe('ignored');
    expect(readRazorpaySubscriptionEvent({ event: 'order.paid', payload: {} }).kind).toBe(
      'ignored',
    );
    expect(
      readRazorpaySubscriptionEvent({ event: 'subscription.charged', payload: { subscription } })
        .kind,
    ).toBe('invalid');
  });
});
