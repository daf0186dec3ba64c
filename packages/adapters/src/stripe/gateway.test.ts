/** Stripe gateway and escrow: the shared conformance suite plus Stripe-specific behaviour. */
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { isProviderError } from '../core/errors.ts';
import { InMemoryManualTaskSink, withManualFallback } from '../core/manual-tasks.ts';
import { describePaymentGatewayConformance } from '../ports/__fixtures__/payment-gateway.case.ts';
import { serverErrors } from '../testing/failures.ts';
import { FakeStripe, STRIPE_API } from '../testing/stripe.ts';
import { createStripeEscrow, createStripeGateway } from './index.ts';

const fast = { policies: { retry: { maxRetries: 3, baseDelayMs: 1, maxDelayMs: 2 } } };

describePaymentGatewayConformance({
  name: 'stripe',
  method: 'card',
  currency: 'EUR',
  createIntentUrl: /api\.stripe\.com\/v1\/payment_intents$/,
  setup() {
    const stripe = new FakeStripe();
    return {
      gateway: createStripeGateway({ secretKey: stripe.secretKey, ...fast }),
      badCredentials: createStripeGateway({ secretKey: 'sk_test_wrong_secret', ...fast }),
      handlers: stripe.handlers(),
      paymentsCreated: () => stripe.intents.size,
      requestCount: () => stripe.requests.length,
      completePayment: async (intent) => intent.id,
      secrets: ['sk_test_wrong_secret', stripe.secretKey],
    };
  },
});

describe('stripe specifics', () => {
  const server = setupServer();
  const stripe = new FakeStripe();
  beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  test('sends only amount, currency, method, capture mode and reference', async () => {
    server.use(...stripe.handlers());
    const gateway = createStripeGateway({ secretKey: stripe.secretKey, ...fast });
    await gateway.createIntent({
      reference: 'pay_min',
      amountMinor: 9900,
      currency: 'GBP',
      method: 'card',
    });
    const sent = new URLSearchParams(stripe.requests.at(-1)!.body);
    expect([...sent.keys()].sort()).toEqual(
      [
        'amount',
        'capture_method',
        'currency',
        'metadata[reference]',
        'payment_method_types[0]',
      ].sort(),
    );
  });

  test('retries after 503 with one Idempotency-Key and charges once', async () => {
    server.use(...stripe.handlers());
    const injected = serverErrors({
      method: 'post',
      url: `${STRIPE_API}/v1/payment_intents`,
      times: 2,
    });
    server.use(injected.handler);
    const before = stripe.intents.size;
    const gateway = createStripeGateway({ secretKey: stripe.secretKey, ...fast });
    const intent = await gateway.createIntent({
      reference: 'pay_retry',
      amountMinor: 1000,
      currency: 'EUR',
      method: 'card',
    });
    expect(injected.hits).toBe(2);
    expect(stripe.intents.size - before).toBe(1);
    expect(intent.status).toBe('authorized');
  });

  test('a declined card is `rejected` with the decline code', async () => {
    server.use(...stripe.handlers());
    const gateway = createStripeGateway({ secretKey: stripe.secretKey, ...fast });
    const error = await gateway
      .createIntent({ reference: 'pay_dec', amountMinor: 40002, currency: 'EUR', method: 'card' })
      .catch((e: unknown) => e);
    expect(isProviderError(error) && error).toMatchObject({
      code: 'rejected',
      providerCode: 'insufficient_funds',
      status: 402,
      providerRequestId: 'req_fake',
    });
  });

  test('UPI is refused as invalid_request', async () => {
    const gateway = createStripeGateway({ secretKey: stripe.secretKey, ...fast });
    const error = await gateway
      .createIntent({ reference: 'pay_upi', amountMinor: 1000, currency: 'INR', method: 'upi' })
      .catch((e: unknown) => e);
    expect(isProviderError(error) && error.code).toBe('invalid_request');
  });

  test('settlement lines name the PaymentIntent, so they reconcile with the payment id', async () => {
    const fake = new FakeStripe();
    server.use(...fake.handlers());
    const gateway = createStripeGateway({ secretKey: fake.secretKey, ...fast });
    const intent = await gateway.createIntent({
      reference: 'pay_settle',
      amountMinor: 40_000,
      currency: 'EUR',
      method: 'card',
    });
    await gateway.capture({ paymentId: intent.id });
    await gateway.refund({ paymentId: intent.id, amountMinor: 10_000, currency: 'EUR' });
    const day = 86_400_000;
    const report = await gateway.settlementReport({
      from: new Date(Date.now() - day).toISOString(),
      to: new Date(Date.now() + day).toISOString(),
    });
    expect(report.lines.map((line) => [line.type, line.paymentId, line.grossMinor])).toEqual([
      ['charge', intent.id, 40_000],
      ['refund', intent.id, -10_000],
    ]);
    const listed = fake.requests.find((r) => r.path === '/v1/balance_transactions');
    expect(new URLSearchParams(listed!.query).getAll('expand[]')).toEqual(['data.source']);
    // The expanded charge carries the payer's billing details; none reach the report.
    expect(JSON.stringify(report)).not.toContain('example.com');
  });

  test('a capture while Stripe is down becomes a payment task for the ops team', async () => {
    const fake = new FakeStripe();
    server.use(...fake.handlers());
    const gateway = createStripeGateway({
      secretKey: fake.secretKey,
      policies: { retry: { maxRetries: 0 }, breaker: { consecutiveFailures: 2 } },
    });
    const intent = await gateway.createIntent({
      reference: 'pay_down',
      amountMinor: 70_000,
      currency: 'EUR',
      method: 'card',
    });
    const outage = serverErrors({
      method: 'post',
      url: `${STRIPE_API}/v1/payment_intents/${intent.id}/capture`,
      times: 100,
    });
    server.use(outage.handler);
    const sink = new InMemoryManualTaskSink();
    const captureOrTask = () =>
      withManualFallback(
        {
          sink,
          task: {
            kind: 'payment',
            provider: 'stripe',
            operation: 'payments.capture',
            subjectRef: 'pay_down',
            summary: 'Capture the authorised payment by hand in the Stripe dashboard.',
            details: { paymentId: intent.id },
          },
        },
        () => gateway.capture({ paymentId: intent.id }),
        (task) => ({ manualTaskId: task.id }),
      );
    await captureOrTask();
    await captureOrTask(); // the second failure opens the circuit
    const third = await captureOrTask();
    expect(outage.hits).toBe(2); // the open circuit kept the third call from Stripe
    expect(third).toEqual({ manualTaskId: sink.tasks[2]!.id });
    expect(sink.tasks.map((task) => task.reason)).toEqual([
      'provider_unavailable',
      'provider_unavailable',
      'circuit_open',
    ]);
    expect(sink.tasks[2]).toMatchObject({
      kind: 'payment',
      subjectRef: 'pay_down',
      details: { paymentId: intent.id, attempts: 0, circuitOpen: true },
    });
  });

  test('escrow: a milestone released twice is transferred once', async () => {
    server.use(...stripe.handlers());
    const escrow = createStripeEscrow({ secretKey: stripe.secretKey, ...fast });
    const held = await escrow.hold({
      escrowRef: 'esc_1',
      amountMinor: 900_000,
      currency: 'EUR',
      method: 'card',
    });
    expect(stripe.intents.get(held.id)?.transfer_group).toBe('esc_1');
    const release = {
      escrowRef: 'esc_1',
      milestoneRef: 'ms_admission',
      amountMinor: 300_000,
      currency: 'EUR',
      payeeAccountId: 'acct_1Clinic',
      sourcePaymentId: held.id,
    };
    const first = await escrow.releaseMilestone(release);
    const second = await escrow.releaseMilestone(release);
    expect(second.transferId).toBe(first.transferId);
    expect(stripe.transfers.size).toBe(1);
    const refund = await escrow.refund({
      escrowRef: 'esc_1',
      paymentId: held.id,
      amountMinor: 600_000,
    });
    expect(refund).toMatchObject({
      paymentId: held.id,
      amountMinor: 600_000,
      currency: 'EUR',
      status: 'succeeded',
    });
    expect(first).toMatchObject({
      escrowRef: 'esc_1',
      milestoneRef: 'ms_admission',
      amountMinor: 300_000,
      currency: 'EUR',
    });
  });
});
