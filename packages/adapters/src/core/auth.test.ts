/** Static auth strategies write exactly the header the provider reads, through the client. */
import { expect, test } from 'vitest';
import { json, scriptedFetch } from './__fixtures__/scripted-fetch.ts';
import { type AuthStrategy, apiKeyAuth, basicAuth, bearerAuth } from './auth.ts';
import { createProviderClient } from './client.ts';

const sentWith = async (auth: AuthStrategy) => {
  const { fetch, sent } = scriptedFetch([json({}, 200)]);
  const client = createProviderClient({
    provider: 'acme',
    baseUrl: 'https://api.acme.test',
    auth,
    fetch,
  });
  await client.json({ operation: 'things.list', path: '/things' });
  return sent[0]!.headers;
};

test('bearerAuth sends Authorization: Bearer <token>', async () => {
  expect((await sentWith(bearerAuth('sk_test_1'))).get('authorization')).toBe('Bearer sk_test_1');
});

test('basicAuth sends base64 user:password, also for non-ASCII secrets', async () => {
  const headers = await sentWith(basicAuth('AC123', 'pässword:with-colon'));
  const value = headers.get('authorization') ?? '';
  expect(value.startsWith('Basic ')).toBe(true);
  expect(Buffer.from(value.slice(6), 'base64').toString('utf8')).toBe('AC123:pässword:with-colon');
});

test('apiKeyAuth puts the key in the named header, with an optional scheme prefix', async () => {
  const plain = await sentWith(apiKeyAuth({ header: 'X-Api-Key', value: 'k_1' }));
  expect(plain.get('x-api-key')).toBe('k_1');
  expect(plain.get('authorization')).toBe(null);
  const prefixed = await sentWith(
    apiKeyAuth({ header: 'Authorization', value: 'k_2', prefix: 'Token' }),
  );
  expect(prefixed.get('authorization')).toBe('Token k_2');
});
