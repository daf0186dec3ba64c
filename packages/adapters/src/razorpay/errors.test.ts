/** Razorpay error bodies, as Razorpay documents them, mapped onto the internal codes. */
import { expect, test } from 'vitest';
import { mapRazorpayError } from './errors.ts';

const reply = (status: number, error: Record<string, unknown>) => ({
  status,
  body: {
    error: {
      source: 'NA',
      step: 'NA',
      reason: 'NA',
      metadata: {},
      field: null,
      ...error,
    },
  },
  headers: new Headers(),
});

test.each([
  [
    'payment failed at the bank',
    reply(400, {
      code: 'GATEWAY_ERROR',
      description: 'Payment failed',
      source: 'bank',
      step: 'payment_authorization',
      reason: 'payment_failed',
    }),
    { code: 'rejected', providerCode: 'payment_failed' },
  ],
  [
    'the bank gateway is down',
    reply(502, { code: 'GATEWAY_ERROR', description: 'Payment processing failed' }),
    { code: 'provider_unavailable', providerCode: 'GATEWAY_ERROR' },
  ],
  [
    'Razorpay-side failure',
    reply(500, { code: 'SERVER_ERROR', description: 'The server encountered an error.' }),
    { code: 'provider_unavailable', providerCode: 'SERVER_ERROR' },
  ],
  [
    'capture twice',
    reply(400, {
      code: 'BAD_REQUEST_ERROR',
      description: 'This payment has already been captured',
    }),
    { code: 'conflict', providerCode: 'BAD_REQUEST_ERROR' },
  ],
  [
    'unknown payment',
    reply(400, {
      code: 'BAD_REQUEST_ERROR',
      description: 'The id provided does not exist',
    }),
    { code: 'not_found', providerCode: 'BAD_REQUEST_ERROR' },
  ],
  [
    'wrong key secret',
    reply(401, { code: 'BAD_REQUEST_ERROR', description: 'Authentication failed' }),
    { code: 'auth_failed', providerCode: 'BAD_REQUEST_ERROR' },
  ],
  [
    'too many requests',
    reply(429, { code: 'BAD_REQUEST_ERROR', description: 'Too many requests' }),
    { code: 'rate_limited', providerCode: 'BAD_REQUEST_ERROR' },
  ],
  [
    'bad field, quoting the value sent',
    reply(400, {
      code: 'BAD_REQUEST_ERROR',
      description: 'The contact +919812345678 is invalid',
      field: 'contact',
      reason: 'input_validation_failed',
    }),
    { code: 'invalid_request', providerCode: 'input_validation_failed' },
  ],
])('%s', (_, given, expected) => {
  const failure = mapRazorpayError(given);
  expect(failure).toEqual(expected);
  // Only codes survive: Razorpay's descriptions may quote the payer's details.
  expect(JSON.stringify(failure)).not.toContain('9812345678');
});
