/** iyzico failure bodies (mostly HTTP 200 with `status: failure`) mapped onto the internal codes. */
import { expect, test } from 'vitest';
import { mapIyzicoError } from './errors.ts';

const failure = (fields: Record<string, unknown>, status = 200) => ({
  status,
  body: {
    status: 'failure',
    locale: 'tr',
    systemTime: 1763794800000,
    conversationId: 'pay_1',
    errorMessage: 'Kart sahibi Ayşe Yılmaz için işlem yapılamadı',
    ...fields,
  },
  headers: new Headers(),
});

test.each([
  [
    'insufficient funds (bank decline)',
    failure({ errorCode: '10051', errorGroup: 'NOT_SUFFICIENT_FUNDS' }),
    { code: 'rejected', providerCode: '10051' },
  ],
  [
    'a decline without an error group',
    failure({ errorCode: '10005' }),
    { code: 'rejected', providerCode: '10005' },
  ],
  [
    'unknown API key',
    failure({ errorCode: '1001' }),
    { code: 'auth_failed', providerCode: '1001' },
  ],
  [
    'signature check failed',
    failure({ errorCode: '1000' }),
    { code: 'auth_failed', providerCode: '1000' },
  ],
  [
    'system error',
    failure({ errorCode: '1' }),
    { code: 'provider_unavailable', providerCode: '1' },
  ],
  [
    'a missing mandatory field',
    failure({ errorCode: '5' }),
    { code: 'invalid_request', providerCode: '5' },
  ],
  [
    'rate limited',
    failure({ errorCode: '429' }, 429),
    { code: 'rate_limited', providerCode: '429' },
  ],
  [
    'an HTTP 5xx',
    failure({ errorCode: '1' }, 503),
    { code: 'provider_unavailable', providerCode: '1' },
  ],
])('%s', (_, given, expected) => {
  const mapped = mapIyzicoError(given);
  expect(mapped).toEqual(expected);
  // iyzico's messages may name the card holder; only codes survive.
  expect(JSON.stringify(mapped)).not.toContain('Yılmaz');
});

test('a success is no failure', () => {
  expect(
    mapIyzicoError({
      status: 200,
      body: { status: 'success', paymentId: '1' },
      headers: new Headers(),
    }),
  ).toBe(undefined);
});
