import { describe, expect, test } from 'vitest';
import { readRazorpayPaymentEvent, readRazorpayRefundEvent } from './webhook.ts';

const event = (name: string, entity: Record<string, unknown> = {}) => ({
  entity: 'event',
  event: name,
  contains: ['payment'],
  payload: {
    payment: {
      entity: {
        id: 'pay_Fake0000000001',
        amount: 500_000,
        currency: 'INR',
        order_id: 'order_Fake0000000001',
        method: 'upi',
        ...entity,
      },
    },
  },
});

describe('readRazorpayPaymentEvent', () => {
  test('payment.captured and order.paid are the same success: the order is the attempt', () => {
    for (const name of ['payment.captured', 'order.paid']) {
      expect(readRazorpayPaymentEvent(event(name))).toEqual({
        kind: 'succeeded',
        providerRef: 'order_Fake0000000001',
        providerPaymentId: 'pay_Fake0000000001',
        amount: { amount: 500_000, currency: 'INR' },
      });
    }
  });

  test('a failure carries the error reason when it is a code, never a description', () => {
    expect(
      readRazorpayPaymentEvent(event('payment.failed', { error_reason: 'payment_timed_out' })),
    ).toMatchObject({ kind: 'failed', failureCode: 'payment_timed_out' });
    expect(
      readRazorpayPaymentEvent(
        event('payment.failed', { error_reason: 'The payer closed the UPI app.' }),
      ),
    ).toMatchObject({ kind: 'failed', failureCode: 'payment_failed' });
  });

  test('events not used are ignored; a used event without its payment is invalid', () => {
    expect(readRazorpayPaymentEvent(event('payment.authorized'))).toEqual({
      kind: 'ignored',
      type: 'payment.authorized',
    });
    expect(readRazorpayPaymentEvent({ event: 'payment.captured', payload: {} })).toMatchObject({
      kind: 'invalid',
    });
    expect(readRazorpayPaymentEvent(event('payment.captured', { amount: -1 })).kind).toBe(
      'invalid',
    );
  });
});

const refundEvent = (name: string, entity: Record<string, unknown> = {}) => ({
  entity: 'event',
  event: name,
  contains: ['refund', 'payment'],
  payload: {
    refund: {
      entity: {
        id: 'rfnd_Fake0000000001',
        entity: 'refund',
        payment_id: 'pay_Fake0000000001',
        amount: 100_000,
        currency: 'INR',
        status: name === 'refund.failed' ? 'failed' : 'processed',
        ...entity,
      },
    },
  },
});

describe('readRazorpayRefundEvent', () => {
  test('refund.processed finishes a pending refund; refund.failed says it did not go through', () => {
    const base = {
      providerRefundId: 'rfnd_Fake0000000001',
      providerPaymentId: 'pay_Fake0000000001',
      amount: { amount: 100_000, currency: 'INR' },
    };
    expect(readRazorpayRefundEvent(refundEvent('refund.processed'))).toEqual({
      kind: 'refund_succeeded',
      ...base,
    });
    expect(readRazorpayRefundEvent(refundEvent('refund.failed'))).toEqual({
      kind: 'refund_failed',
      ...base,
    });
  });

  test('other events are ignored; a refund without a payment is invalid', () => {
    expect(readRazorpayRefundEvent(refundEvent('refund.created'))).toEqual({
      kind: 'ignored',
      type: 'refund.created',
    });
    expect(readRazorpayRefundEvent(event('payment.captured'))).toMatchObject({ kind: 'ignored' });
    expect(
      readRazorpayRefundEvent(refundEvent('refund.processed', { payment_id: undefined })),
    ).toMatchObject({ kind: 'invalid' });
  });
});
