/** OAuth2 client credentials: single flight, refresh before expiry, one refresh on 401. */
import { describe, expect, test } from 'vitest';
import { json, scriptedFetch } from './__fixtures__/scripted-fetch.ts';
import { createProviderClient } from './client.ts';
import { isProviderError } from './errors.ts';
import { type OAuth2ClientCredentialsOptions, oauth2ClientCredentials } from './oauth2.ts';
import type { PolicySettings } from './policies.ts';
import { InMemoryTokenCache, type TokenCache } from './token-cache.ts';

const tokenUrl = 'https://auth.acme.test/oauth2/token';

/** Token endpoint + API behind one fetch: tokens are tok_1, tok_2, … */
function providerWithTokens(options: { apiStatusFor?: (token: string) => number } = {}) {
  let issued = 0;
  const tokenBodies: string[] = [];
  const apiAuth: string[] = [];
  const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    if (request.url === tokenUrl) {
      tokenBodies.push(await request.text());
      issued += 1;
      // Answer asynchronously so concurrent callers really overlap.
      await new Promise((resolve) => setImmediate(resolve));
      return json({ token_type: 'Bearer', access_token: `tok_${issued}`, expires_in: 1799 }, 200);
    }
    const auth = request.headers.get('authorization') ?? '';
    apiAuth.push(auth);
    const status = options.apiStatusFor?.(auth.replace('Bearer ', '')) ?? 200;
    return json(status === 200 ? { ok: true } : { errors: [{ code: 38190, status }] }, status);
  }) as typeof fetch;
  return { fetch: fetchImpl, tokenBodies, apiAuth, issued: () => issued };
}

/** Client-credentials auth and a provider client using it, both over `fetch`. */
function acmeClient(
  fetch: typeof globalThis.fetch,
  auth: Partial<OAuth2ClientCredentialsOptions> = {},
  policies?: PolicySettings,
) {
  const credentials = oauth2ClientCredentials({
    provider: 'acme',
    tokenUrl,
    clientId: 'c',
    clientSecret: 's',
    fetch,
    ...auth,
  });
  const client = createProviderClient({
    provider: 'acme',
    baseUrl: 'https://api.acme.test',
    auth: credentials,
    fetch,
    ...(policies ? { policies } : {}),
  });
  return { auth: credentials, client };
}

describe('oauth2 client credentials', () => {
  test('50 concurrent calls share one token request', async () => {
    const provider = providerWithTokens();
    const { auth, client } = acmeClient(
      provider.fetch,
      { clientId: 'cid', clientSecret: 'csecret' },
      { bulkhead: { limit: 50 } },
    );
    await Promise.all(
      Array.from({ length: 50 }, () => client.json({ operation: 'things.list', path: '/things' })),
    );
    expect(auth.tokenRequests).toBe(1);
    expect(provider.apiAuth).toHaveLength(50);
    expect(new Set(provider.apiAuth)).toEqual(new Set(['Bearer tok_1']));
    expect(new URLSearchParams(provider.tokenBodies[0])).toEqual(
      new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: 'cid',
        client_secret: 'csecret',
      }),
    );
  });

  test('refreshes shortly before expiry, not after', async () => {
    let now = 0;
    const provider = providerWithTokens();
    const { auth, client } = acmeClient(provider.fetch, {
      now: () => now,
      refreshSkewMs: 60_000,
    });
    await client.json({ operation: 't', path: '/t' });
    now = (1799 - 61) * 1000;
    await client.json({ operation: 't', path: '/t' });
    expect(auth.tokenRequests).toBe(1);
    now = (1799 - 59) * 1000; // inside the skew: refresh although the token is still valid
    await client.json({ operation: 't', path: '/t' });
    expect(auth.tokenRequests).toBe(2);
    expect(provider.apiAuth.at(-1)).toBe('Bearer tok_2');
  });

  test('a 401 triggers exactly one refresh, shared by concurrent callers, then succeeds', async () => {
    const provider = providerWithTokens({
      apiStatusFor: (token) => (token === 'tok_1' ? 401 : 200),
    });
    const { auth, client } = acmeClient(provider.fetch, {}, { bulkhead: { limit: 20 } });
    const results = await Promise.all(
      Array.from({ length: 20 }, () => client.json({ operation: 't', path: '/t' })),
    );
    expect(results.every((r) => (r as { ok: boolean }).ok)).toBe(true);
    expect(auth.tokenRequests).toBe(2);
  });

  test('a 401 that persists after the refresh is auth_failed, without a loop', async () => {
    const provider = providerWithTokens({ apiStatusFor: () => 401 });
    const { auth, client } = acmeClient(provider.fetch);
    const error = await client.json({ operation: 't', path: '/t' }).catch((e: unknown) => e);
    expect(isProviderError(error) && error.code).toBe('auth_failed');
    expect(provider.apiAuth).toHaveLength(2);
    expect(auth.tokenRequests).toBe(2);
  });

  test('rejected client credentials are auth_failed with the provider code, secret absent', async () => {
    const { fetch } = scriptedFetch([
      json(
        {
          error: 'invalid_client',
          error_description: 'Client credentials are invalid',
          code: 38187,
        },
        401,
      ),
    ]);
    const { client } = acmeClient(fetch, { clientSecret: 'super-secret' });
    const error = await client.json({ operation: 't', path: '/t' }).catch((e: unknown) => e);
    expect(isProviderError(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'auth_failed',
      providerCode: 'invalid_client',
      operation: 'auth.token',
    });
    expect(JSON.stringify(error)).not.toContain('super-secret');
  });
});

describe('single flight across processes through a cache that locks', () => {
  /** A shared cache with the lock a Redis-backed one offers. */
  function lockingCache(): TokenCache & { locks: number } {
    const tokens = new InMemoryTokenCache();
    const held = new Set<string>();
    return {
      locks: 0,
      get: (key) => tokens.get(key),
      set: (key, token) => tokens.set(key, token),
      delete: (key) => tokens.delete(key),
      async lock(key) {
        if (held.has(key)) return undefined;
        held.add(key);
        this.locks += 1;
        return async () => {
          held.delete(key);
        };
      },
    };
  }

  test('two strategies (two processes) sharing the cache make one token request', async () => {
    const provider = providerWithTokens();
    const cache = lockingCache();
    const options = {
      provider: 'acme',
      tokenUrl,
      clientId: 'c',
      clientSecret: 's',
      fetch: provider.fetch,
      cache,
      cacheKey: 'acme:token',
    };
    const one = oauth2ClientCredentials(options);
    const two = oauth2ClientCredentials(options);
    const requests = [new Request('https://x/1'), new Request('https://x/2')];
    await Promise.all([
      one.authorize(requests[0] as Request),
      two.authorize(requests[1] as Request),
    ]);
    expect(provider.issued()).toBe(1);
    expect(cache.locks).toBe(1);
    expect(requests.map((r) => r.headers.get('authorization'))).toEqual([
      'Bearer tok_1',
      'Bearer tok_1',
    ]);
  });
});
