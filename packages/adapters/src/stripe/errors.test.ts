/** Stripe error objects, as Stripe documents them, mapped onto the internal codes. */
import { expect, test } from 'vitest';
import { mapStripeError } from './errors.ts';

const reply = (status: number, error: Record<string, unknown>, headers: HeadersInit = {}) => ({
  status,
  body: {
    error: {
      message: 'Your card was declined. Customer: ada@example.com',
      doc_url: 'https://stripe.com/docs/error-codes',
      request_log_url: 'https://dashboard.stripe.com/logs/req_1',
      ...error,
    },
  },
  headers: new Headers(headers),
});

test.each([
  [
    'card declined',
    reply(402, { type: 'card_error', code: 'card_declined', decline_code: 'insufficient_funds' }),
    { code: 'rejected', providerCode: 'insufficient_funds' },
  ],
  [
    'same key, other body',
    reply(400, { type: 'idempotency_error' }),
    { code: 'conflict', providerCode: 'idempotency_error' },
  ],
  [
    'capture of a canceled intent',
    reply(400, { type: 'invalid_request_error', code: 'payment_intent_unexpected_state' }),
    { code: 'conflict', providerCode: 'payment_intent_unexpected_state' },
  ],
  [
    'unknown intent',
    reply(404, { type: 'invalid_request_error', code: 'resource_missing', param: 'intent' }),
    { code: 'not_found', providerCode: 'resource_missing' },
  ],
  [
    'bad parameter',
    reply(400, { type: 'invalid_request_error', code: 'parameter_invalid_integer' }),
    { code: 'invalid_request', providerCode: 'parameter_invalid_integer' },
  ],
  [
    'invalid key',
    reply(401, { type: 'invalid_request_error' }),
    { code: 'auth_failed', providerCode: 'invalid_request_error' },
  ],
  [
    'rate limit',
    reply(429, { type: 'rate_limit_error', code: 'rate_limit' }),
    { code: 'rate_limited', providerCode: 'rate_limit' },
  ],
  [
    'Stripe-side failure',
    reply(500, { type: 'api_error' }),
    { code: 'provider_unavailable', providerCode: 'api_error' },
  ],
  [
    'lock timeout Stripe says to retry',
    reply(
      409,
      { type: 'invalid_request_error', code: 'lock_timeout' },
      { 'stripe-should-retry': 'true' },
    ),
    { code: 'provider_unavailable', providerCode: 'lock_timeout' },
  ],
])('%s', (_, given, expected) => {
  const failure = mapStripeError(given);
  expect(failure).toEqual(expected);
  // Only codes survive: Stripe's message may quote what the customer typed.
  expect(JSON.stringify(failure)).not.toContain('example.com');
});

test('a 2xx is no failure', () => {
  expect(mapStripeError({ status: 200, body: { id: 'pi_1' }, headers: new Headers() })).toBe(
    undefined,
  );
});
