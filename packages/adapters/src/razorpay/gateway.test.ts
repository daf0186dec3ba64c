/** Razorpay gateway: the shared conformance suite plus Razorpay-specific behaviour. */
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { isProviderError } from '../core/errors.ts';
import { describePaymentGatewayConformance } from '../ports/__fixtures__/payment-gateway.case.ts';
import { rateLimited } from '../testing/failures.ts';
import { FakeRazorpay, RAZORPAY_API } from '../testing/razorpay.ts';
import { createRazorpayGateway } from './index.ts';

const fast = { policies: { retry: { maxRetries: 3, baseDelayMs: 1, maxDelayMs: 2 } } };

describePaymentGatewayConformance({
  name: 'razorpay',
  method: 'upi',
  currency: 'INR',
  createIntentUrl: /api\.razorpay\.com\/v1\/orders$/,
  setup() {
    const razorpay = new FakeRazorpay();
    return {
      gateway: createRazorpayGateway({
        keyId: razorpay.keyId,
        keySecret: razorpay.keySecret,
        ...fast,
      }),
      badCredentials: createRazorpayGateway({
        keyId: razorpay.keyId,
        keySecret: 'wrong-razorpay-secret',
        ...fast,
      }),
      handlers: razorpay.handlers(),
      paymentsCreated: () => razorpay.orders.size,
      requestCount: () => razorpay.requests.length,
      completePayment: async (intent) => razorpay.completeOrder(intent.id, 'upi'),
      secrets: ['wrong-razorpay-secret', razorpay.keySecret],
    };
  },
});

describe('razorpay specifics', () => {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  /** A fresh fake Razorpay behind the server, and a gateway to it. */
  const startRazorpay = () => {
    const razorpay = new FakeRazorpay();
    server.use(...razorpay.handlers());
    const gateway = createRazorpayGateway({
      keyId: razorpay.keyId,
      keySecret: razorpay.keySecret,
      ...fast,
    });
    return { razorpay, gateway };
  };

  test('an order carries amount, currency, receipt, capture mode and method only', async () => {
    const { razorpay, gateway } = startRazorpay();
    const intent = await gateway.createIntent({
      reference: 'pay_r1',
      amountMinor: 500_000,
      currency: 'INR',
      method: 'card',
    });
    expect(intent).toMatchObject({ status: 'requires_action', clientSecret: intent.id });
    expect(JSON.parse(razorpay.requests[0]!.body)).toEqual({
      amount: 500_000,
      currency: 'INR',
      receipt: 'pay_r1',
      payment_capture: 0,
      notes: { reference: 'pay_r1', method: 'card' },
    });
  });

  test('capture without an amount captures the authorised amount', async () => {
    const { razorpay, gateway } = startRazorpay();
    const intent = await gateway.createIntent({
      reference: 'pay_r2',
      amountMinor: 120_000,
      currency: 'INR',
      method: 'upi',
    });
    const paymentId = razorpay.completeOrder(intent.id, 'upi');
    await expect(gateway.capture({ paymentId })).resolves.toMatchObject({
      status: 'captured',
      amountMinor: 120_000,
    });
    const again = await gateway
      .capture({ paymentId, idempotencyKey: 'other' })
      .catch((e: unknown) => e);
    expect(isProviderError(again) && again.code).toBe('conflict');
  });

  test('a 429 on order creation is retried; the order is created once', async () => {
    const { razorpay, gateway } = startRazorpay();
    const limited = rateLimited({
      method: 'post',
      url: `${RAZORPAY_API}/v1/orders`,
      retryAfterSeconds: 0,
      body: {
        error: { code: 'BAD_REQUEST_ERROR', description: 'Too many requests', reason: 'NA' },
      },
    });
    server.use(limited.handler);
    await gateway.createIntent({
      reference: 'pay_r3',
      amountMinor: 10_000,
      currency: 'INR',
      method: 'upi',
    });
    expect(limited.hits).toBe(1);
    expect(razorpay.orders.size).toBe(1);
  });
  test('the settlement report reads past a page of failed payments', async () => {
    const { razorpay, gateway } = startRazorpay();
    const now = Math.floor(Date.now() / 1000);
    for (let i = 0; i < 100; i++) {
      const id = `pay_Failed${String(i).padStart(8, '0')}`;
      razorpay.payments.set(id, {
        id,
        entity: 'payment',
        amount: 1_000,
        currency: 'INR',
        status: 'failed',
        order_id: 'order_x',
        method: 'upi',
        captured: false,
        amount_refunded: 0,
        refund_status: null,
        fee: null,
        tax: null,
        created_at: now,
      });
    }
    const intent = await gateway.createIntent({
      reference: 'pay_r4',
      amountMinor: 20_000,
      currency: 'INR',
      method: 'upi',
    });
    const paymentId = razorpay.completeOrder(intent.id, 'upi');
    await gateway.capture({ paymentId });
    const day = 86_400_000;
    const report = await gateway.settlementReport({
      from: new Date(Date.now() - day).toISOString(),
      to: new Date(Date.now() + day).toISOString(),
    });
    expect(report.lines.map((line) => [line.type, line.paymentId])).toEqual([
      ['charge', paymentId],
    ]);
    expect(report.truncated).toBe(false);
  });
});
