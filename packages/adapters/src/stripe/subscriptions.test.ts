/** Stripe subscriptions: the shared conformance suite, what is sent, and the webhook reader. */
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { describeSubscriptionBillingConformance } from '../ports/__fixtures__/subscription-billing.case.ts';
import { FakeStripe } from '../testing/stripe.ts';
import { createStripeSubscriptions, readStripeSubscriptionEvent } from './index.ts';

const fast = { policies: { retry: { maxRetries: 3, baseDelayMs: 1, maxDelayMs: 2 } } };

describeSubscriptionBillingConformance({
  name: 'stripe',
  setup() {
    const stripe = new FakeStripe();
    return {
      billing: createStripeSubscriptions({ secretKey: stripe.secretKey, ...fast }),
      badCredentials: createStripeSubscriptions({ secretKey: 'sk_test_wrong', ...fast }),
      handlers: stripe.handlers(),
      subscriptionsCreated: () => stripe.subscriptions.size,
      customerRef: 'cus_conformance1',
      plans: ['price_monthly1', 'price_monthly2'],
    };
  },
});

describe('stripe subscription requests', () => {
  const server = setupServer();
  const stripe = new FakeStripe();
  beforeAll(() => {
    server.listen({ onUnhandledFrame: 'error' });
    server.use(...stripe.handlers());
  });
  afterAll(() => server.close());

  test('creates with customer, price and reference only, form-encoded, with the key', async () => {
    const billing = createStripeSubscriptions({ secretKey: stripe.secretKey, ...fast });
    const sub = await billing.create({
      reference: 'sub_req1',
      customerRef: 'cus_req1',
      planId: 'price_req1',
      idempotencyKey: 'subscription:sub_req1',
    });
    expect(sub.reference).toBe('sub_req1');
    const sent = stripe.requests.at(-1)!;
    expect(sent.idempotencyKey).toBe('subscription:sub_req1');
    expect([...new URLSearchParams(sent.body).keys()].sort()).toEqual(
      ['customer', 'items[0][price]', 'metadata[reference]'].sort(),
    );
  });

  test('changing to the current plan sends no update', async () => {
    const billing = createStripeSubscriptions({ secretKey: stripe.secretKey, ...fast });
    const sub = await billing.create({
      reference: 'sub_req2',
      customerRef: 'cus_2',
      planId: 'price_a',
    });
    const before = stripe.requests.length;
    await billing.changePlan({ subscriptionId: sub.id, planId: 'price_a' });
    expect(stripe.requests.slice(before).map((r) => r.method)).toEqual(['GET']);
  });

  test('cancel now is a DELETE', async () => {
    const billing = createStripeSubscriptions({ secretKey: stripe.secretKey, ...fast });
    const sub = await billing.create({
      reference: 'sub_req3',
      customerRef: 'cus_3',
      planId: 'price_a',
    });
    await billing.cancel({ subscriptionId: sub.id, atPeriodEnd: false });
    expect(stripe.requests.at(-1)).toMatchObject({
      method: 'DELETE',
      path: `/v1/subscriptions/${sub.id}`,
    });
  });
});

describe('readStripeSubscriptionEvent', () => {
  const invoice = (type: string, object: Record<string, unknown>) => ({
    id: 'evt_1',
    type,
    data: { object: { id: 'in_1', currency: 'eur', ...object } },
  });

  test('invoice.paid is a paid period with the invoice as the charge', () => {
    expect(
      readStripeSubscriptionEvent(
        invoice('invoice.paid', { subscription: 'sub_1', amount_paid: 2900 }),
      ),
    ).toEqual({
      kind: 'renewal_paid',
      subscriptionId: 'sub_1',
      chargeId: 'in_1',
      amount: { amount: 2900, currency: 'EUR' },
    });
  });

  test('reads the subscription under parent in newer API versions', () => {
    const outcome = readStripeSubscriptionEvent(
      invoice('invoice.paid', {
        parent: { subscription_details: { subscription: 'sub_2' } },
        amount_paid: 100,
      }),
    );
    expect(outcome).toMatchObject({ kind: 'renewal_paid', subscriptionId: 'sub_2' });
  });

  test('invoice.payment_failed is a failed period with the amount due', () => {
    expect(
      readStripeSubscriptionEvent(
        invoice('invoice.payment_failed', { subscription: 'sub_1', amount_due: 2900 }),
      ),
    ).toEqual({
      kind: 'renewal_failed',
      subscriptionId: 'sub_1',
      chargeId: 'in_1',
      amount: { amount: 2900, currency: 'EUR' },
      failureCode: 'payment_failed',
    });
  });

  test('customer.subscription.deleted is a cancellation', () => {
    expect(
      readStripeSubscriptionEvent({
        type: 'customer.subscription.deleted',
        data: { object: { id: 'sub_9', status: 'canceled' } },
      }),
    ).toEqual({ kind: 'cancelled', subscriptionId: 'sub_9' });
  });

  test('ignores other events and invoices of no subscription; flags broken ones', () => {
    expect(readStripeSubscriptionEvent({ type: 'payment_intent.succeeded' }).kind).toBe('ignored');
    expect(readStripeSubscriptionEvent(invoice('invoice.paid', { amount_paid: 5 })).kind).toBe(
      'ignored',
    );
    expect(
      readStripeSubscriptionEvent(
        invoice('invoice.paid', { subscription: 'sub_1', amount_paid: -5 }),
      ).kind,
    ).toBe('invalid');
    expect(readStripeSubscriptionEvent(null).kind).toBe('ignored');
  });
});
