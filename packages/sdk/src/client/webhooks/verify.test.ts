/** `client.webhooks.verify`: catalogued events, tampered bodies, and events outside the catalogue. */
import { isWebhookVerificationError, sign } from '@clinicbridge/webhooks';
import { describe, expect, it } from 'vitest';
import { API_KEY, BASE_URL } from '../__fixtures__/samples.ts';
import { ClinicBridge } from '../clinic-bridge.ts';
import { isResponseValidationError } from '../errors/guards.ts';

const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const event = {
  id: 'evt_aaaaaaaaaaaaaaaaaaaaaaaaaa',
  type: 'payment.received',
  occurredAt: '2026-11-22T08:00:00Z',
  entityType: 'payment',
  entityId: 'pay_aaaaaaaaaaaaaaaaaaaaaaaaaa',
  tenantId: 'ten_aaaaaaaaaaaaaaaaaaaaaaaaaa',
  data: {
    paymentId: 'pay_aaaaaaaaaaaaaaaaaaaaaaaaaa',
    invoiceId: 'inv_aaaaaaaaaaaaaaaaaaaaaaaaaa',
    amount: { amount: 1999, currency: 'EUR' },
    method: 'card',
    invoiceBalance: { amount: 0, currency: 'EUR' },
  },
};

async function delivery(body: unknown) {
  const payload = JSON.stringify(body);
  const headers = await sign({ id: 'msg_1', payload, secret });
  return { payload, headers };
}

const client = new ClinicBridge({ baseUrl: BASE_URL, apiKey: API_KEY });

describe('client.webhooks.verify', () => {
  it('returns a catalogued event, discriminated on type', async () => {
    const { payload, headers } = await delivery(event);
    const verified = await client.webhooks.verify(payload, headers, secret);
    expect(verified.type).toBe('payment.received');
    if (verified.type === 'payment.received') expect(verified.data.amount.amount).toBe(1999);
  });

  it('rejects a tampered body with the webhooks package error and its code', async () => {
    const { payload, headers } = await delivery(event);
    const error = await client.webhooks
      .verify(payload.replace('1999', '9999'), headers, secret)
      .catch((e: unknown) => e);
    expect(isWebhookVerificationError(error)).toBe(true);
    if (isWebhookVerificationError(error)) expect(error.code).toBe('invalid_signature');
  });

  it('rejects a signed event that is not in the catalogue in strict mode, and passes it in off mode', async () => {
    const odd = { ...event, data: { paymentId: 42 } };
    const { payload, headers } = await delivery(odd);
    const error = await client.webhooks.verify(payload, headers, secret).catch((e: unknown) => e);
    expect(isResponseValidationError(error)).toBe(true);
    const unchecked = await client.webhooks.verify(payload, headers, secret, { validation: 'off' });
    expect(unchecked).toEqual(odd);
  });
});
