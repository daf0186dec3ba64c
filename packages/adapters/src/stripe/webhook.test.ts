import { describe, expect, test } from 'vitest';
import {
  readStripeGatewayEvent,
  readStripePaymentEvent,
  readStripeRefundEvent,
} from './webhook.ts';

const intent = (type: string, object: Record<string, unknown>) => ({
  id: 'evt_1',
  type,
  data: {
    object: {
      id: 'pi_1',
      currency: 'try',
      metadata: { tenantId: 'ten_1', invoiceId: 'inv_1' },
      ...object,
    },
  },
});

describe('readStripePaymentEvent', () => {
  test('a succeeded intent gives the received amount in minor units, the currency upper-cased and the metadata', () => {
    expect(
      readStripePaymentEvent(
        intent('payment_intent.succeeded', { amount: 5000, amount_received: 4500 }),
      ),
    ).toEqual({
      kind: 'succeeded',
      intentId: 'pi_1',
      amount: { amount: 4500, currency: 'TRY' },
      metadata: { tenantId: 'ten_1', invoiceId: 'inv_1' },
    });
  });

  test('a failed intent carries Stripe’s message', () => {
    const outcome = readStripePaymentEvent(
      intent('payment_intent.payment_failed', {
        amount: 100,
        last_payment_error: { message: 'Your card was declined.' },
      }),
    );
    expect(outcome).toMatchObject({ kind: 'failed', failureMessage: 'Your card was declined.' });
  });

  test('unused types are ignored and broken amounts are invalid, never thrown', () => {
    expect(readStripePaymentEvent({ type: 'charge.refunded' })).toEqual({
      kind: 'ignored',
      type: 'charge.refunded',
    });
    expect(
      readStripePaymentEvent(intent('payment_intent.succeeded', { amount: -1 })),
    ).toMatchObject({
      kind: 'invalid',
    });
    expect(
      readStripePaymentEvent(intent('payment_intent.succeeded', { amount: 1.5 })),
    ).toMatchObject({
      kind: 'invalid',
    });
    expect(readStripePaymentEvent(null)).toEqual({ kind: 'ignored', type: '' });
  });
});

describe('readStripeGatewayEvent', () => {
  test('the PaymentIntent is both the attempt and the payment; a cancellation is a final outcome', () => {
    expect(readStripeGatewayEvent(intent('payment_intent.succeeded', { amount: 5000 }))).toEqual({
      kind: 'succeeded',
      providerRef: 'pi_1',
      providerPaymentId: 'pi_1',
      amount: { amount: 5000, currency: 'TRY' },
    });
    expect(
      readStripeGatewayEvent(intent('payment_intent.canceled', { amount: 5000 })),
    ).toMatchObject({
      kind: 'cancelled',
      failureCode: 'canceled',
    });
    expect(readStripeGatewayEvent({ type: 'charge.refunded' })).toEqual({
      kind: 'ignored',
      type: 'charge.refunded',
    });
  });
});

const refund = (type: string, object: Record<string, unknown>) => ({
  id: 'evt_2',
  type,
  data: {
    object: {
      id: 're_1',
      object: 'refund',
      amount: 3_000,
      currency: 'eur',
      payment_intent: 'pi_1',
      status: 'succeeded',
      ...object,
    },
  },
});

describe('readStripeRefundEvent', () => {
  const base = {
    providerRefundId: 're_1',
    providerPaymentId: 'pi_1',
    amount: { amount: 3_000, currency: 'EUR' },
  };

  test('a pending refund that succeeded, failed or was canceled', () => {
    expect(readStripeRefundEvent(refund('refund.updated', {}))).toEqual({
      kind: 'refund_succeeded',
      ...base,
    });
    expect(readStripeRefundEvent(refund('charge.refund.updated', {}))).toMatchObject({
      kind: 'refund_succeeded',
    });
    for (const status of ['failed', 'canceled']) {
      expect(readStripeRefundEvent(refund('refund.failed', { status }))).toEqual({
        kind: 'refund_failed',
        ...base,
      });
    }
  });

  test('still pending, another event, or no PaymentIntent', () => {
    expect(readStripeRefundEvent(refund('refund.updated', { status: 'pending' }))).toEqual({
      kind: 'ignored',
      type: 'refund.updated:pending',
    });
    expect(readStripeRefundEvent(intent('payment_intent.succeeded', {}))).toMatchObject({
      kind: 'ignored',
    });
    expect(
      readStripeRefundEvent(refund('refund.updated', { payment_intent: undefined })),
    ).toMatchObject({ kind: 'invalid' });
  });
});
