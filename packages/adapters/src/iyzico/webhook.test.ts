import { createHmac } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { iyzicoWebhookSignature, readIyzicoPaymentEvent } from './webhook.ts';

const secretKey = 'sandbox-secret-key-fake';
const checkoutForm = {
  paymentConversationId: 'chk_1',
  merchantId: 3_382_172,
  token: 'e828c62d-fd12-4b1a-ad5a-380f15fe6596',
  status: 'SUCCESS',
  iyziReferenceCode: '77e1635c-6b39-475a-8b7b-ca15ad0cd4ac',
  iyziEventType: 'CHECKOUT_FORM_AUTH',
  iyziEventTime: 1_721_825_036_103,
  iyziPaymentId: 22_483_975,
};

describe('iyzicoWebhookSignature', () => {
  test('HMAC-SHA256 with the secret key over key, event type, payment id, token, conversation id and status', () => {
    const expected = createHmac('sha256', secretKey)
      .update(
        `${secretKey}CHECKOUT_FORM_AUTH22483975e828c62d-fd12-4b1a-ad5a-380f15fe6596chk_1SUCCESS`,
      )
      .digest('hex');
    expect(iyzicoWebhookSignature(checkoutForm, secretKey)).toBe(expected);
  });

  test('any signed field changed changes the signature; a body without them has none', () => {
    const signed = iyzicoWebhookSignature(checkoutForm, secretKey);
    for (const change of [
      { status: 'FAILURE' },
      { iyziPaymentId: 22_483_976 },
      { token: 'other' },
      { paymentConversationId: 'chk_2' },
    ]) {
      expect(iyzicoWebhookSignature({ ...checkoutForm, ...change }, secretKey)).not.toBe(signed);
    }
    expect(iyzicoWebhookSignature(checkoutForm, 'another-secret')).not.toBe(signed);
    expect(iyzicoWebhookSignature({ status: 'SUCCESS' }, secretKey)).toBeNull();
  });
});

describe('readIyzicoPaymentEvent', () => {
  test('SUCCESS and FAILURE settle the checkout-form token; other statuses are ignored', () => {
    expect(readIyzicoPaymentEvent(checkoutForm)).toEqual({
      kind: 'succeeded',
      providerRef: checkoutForm.token,
      providerPaymentId: '22483975',
    });
    expect(readIyzicoPaymentEvent({ ...checkoutForm, status: 'FAILURE' })).toMatchObject({
      kind: 'failed',
      failureCode: 'payment_failed',
    });
    expect(readIyzicoPaymentEvent({ ...checkoutForm, status: 'INIT_THREEDS' })).toEqual({
      kind: 'ignored',
      type: 'CHECKOUT_FORM_AUTH:INIT_THREEDS',
    });
    expect(readIyzicoPaymentEvent({ status: 'SUCCESS' }).kind).toBe('invalid');
  });
});
