/** OAuth client credentials: token request shape, caching, refresh before expiry, single flight, one retry on 401, shared caches, and secrets kept out of errors and hooks. */
import { describe, expect, it } from 'vitest';
import { OAUTH_TOKEN_PATH } from '../../contract/oauth.ts';
import { fakeClock } from '../__fixtures__/fake-clock.ts';
import { appointmentSample, BASE_URL } from '../__fixtures__/samples.ts';
import { json, problem } from '../__fixtures__/scripted-fetch.ts';
import { ClinicBridge } from '../clinic-bridge.ts';
import { isAuthenticationError, isServerError } from '../errors/guards.ts';
import { MemoryTokenCache } from './memory-token-cache.ts';
import { TOKEN_PATH } from './oauth.ts';

const appointmentId = 'apt_aaaaaaaaaaaaaaaaaaaaaaaaaa';
const clientSecret = 'cs_live_super_secret_value_123';

/** A fake API: a token endpoint issuing tok-1, tok-2, … and an appointments endpoint accepting `valid` tokens. */
function fakeApi(options: { expiresIn?: number; reject?: Set<string> } = {}) {
  const tokenRequests: Request[] = [];
  const apiRequests: Request[] = [];
  let issued = 0;
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    if (new URL(request.url).pathname === '/oauth/token') {
      tokenRequests.push(request.clone());
      await new Promise((r) => setTimeout(r, 1));
      issued += 1;
      return json({
        access_token: `tok-${issued}`,
        token_type: 'Bearer',
        expires_in: options.expiresIn ?? 900,
        scope: 'read:appointments',
      });
    }
    apiRequests.push(request);
    const token = request.headers.get('authorization')?.replace('Bearer ', '') ?? '';
    if (options.reject?.has(token)) return problem(401, 'invalid_token');
    return json(appointmentSample());
  };
  return { fetch, tokenRequests, apiRequests };
}

function oauthClient(fetch: typeof globalThis.fetch, extra: Record<string, unknown> = {}) {
  return new ClinicBridge({
    baseUrl: BASE_URL,
    clientId: 'cli_partner',
    clientSecret,
    scopes: ['write:appointments', 'read:appointments'],
    fetch,
    ...extra,
  });
}

describe('OAuth client credentials', () => {
  it('posts to the contract token path', () => {
    expect(TOKEN_PATH).toBe(OAUTH_TOKEN_PATH);
  });

  it('requests a token with Basic auth and a form body, then sends it as bearer', async () => {
    const api = fakeApi();
    await oauthClient(api.fetch).appointments.get({ appointmentId });
    const tokenRequest = api.tokenRequests[0]!;
    expect(tokenRequest.method).toBe('POST');
    expect(tokenRequest.headers.get('content-type')).toBe('application/x-www-form-urlencoded');
    expect(tokenRequest.headers.get('authorization')).toBe(
      `Basic ${btoa(`cli_partner:${clientSecret}`)}`,
    );
    const form = new URLSearchParams(await tokenRequest.text());
    expect(form.get('grant_type')).toBe('client_credentials');
    expect(form.get('scope')).toBe('read:appointments write:appointments');
    expect(api.apiRequests[0]!.headers.get('authorization')).toBe('Bearer tok-1');
  });

  it('caches the token and shares one token request among concurrent calls', async () => {
    const api = fakeApi();
    const client = oauthClient(api.fetch);
    await Promise.all(Array.from({ length: 8 }, () => client.appointments.get({ appointmentId })));
    await client.appointments.get({ appointmentId });
    expect(api.tokenRequests).toHaveLength(1);
    expect(api.apiRequests.map((r) => r.headers.get('authorization'))).toEqual(
      Array(9).fill('Bearer tok-1'),
    );
  });

  it('refreshes refreshSkew before expiry', async () => {
    const api = fakeApi({ expiresIn: 300 });
    const clock = fakeClock();
    const client = oauthClient(api.fetch, { clock, refreshSkew: 30_000 });
    await client.appointments.get({ appointmentId });
    clock.advance(269_000);
    await client.appointments.get({ appointmentId });
    expect(api.tokenRequests).toHaveLength(1);
    clock.advance(2_000); // now 29 s before expiry: inside the skew
    await client.appointments.get({ appointmentId });
    expect(api.tokenRequests).toHaveLength(2);
    expect(api.apiRequests.at(-1)!.headers.get('authorization')).toBe('Bearer tok-2');
  });

  it('on 401 drops the token and retries once with a fresh one', async () => {
    const api = fakeApi({ reject: new Set(['tok-1']) });
    const result = await oauthClient(api.fetch).appointments.get({ appointmentId }).withResponse();
    expect(result.status).toBe(200);
    expect(api.tokenRequests).toHaveLength(2);
    expect(api.apiRequests.map((r) => r.headers.get('authorization'))).toEqual([
      'Bearer tok-1',
      'Bearer tok-2',
    ]);
  });

  it('retries a 401 only once', async () => {
    const api = fakeApi({ reject: new Set(['tok-1', 'tok-2', 'tok-3']) });
    const error = await oauthClient(api.fetch)
      .appointments.get({ appointmentId })
      .catch((e: unknown) => e);
    expect(isAuthenticationError(error)).toBe(true);
    expect(api.apiRequests).toHaveLength(2);
  });

  it('refreshes once when concurrent calls all get 401 for the same token', async () => {
    const reject = new Set<string>();
    const api = fakeApi({ reject });
    const client = oauthClient(api.fetch);
    await client.appointments.get({ appointmentId }); // tok-1 cached
    reject.add('tok-1'); // revoked server-side
    await Promise.all(Array.from({ length: 5 }, () => client.appointments.get({ appointmentId })));
    expect(api.tokenRequests).toHaveLength(2);
    expect(api.apiRequests.slice(-5).map((r) => r.headers.get('authorization'))).toEqual(
      Array(5).fill('Bearer tok-2'),
    );
  });

  it('shares tokens between clients through a common token cache', async () => {
    const api = fakeApi();
    const tokenCache = new MemoryTokenCache();
    await oauthClient(api.fetch, { tokenCache }).appointments.get({ appointmentId });
    await oauthClient(api.fetch, { tokenCache }).appointments.get({ appointmentId });
    expect(api.tokenRequests).toHaveLength(1);
  });

  it('reports a rejected client without the secret in the error', async () => {
    const fetch: typeof globalThis.fetch = async () =>
      new Response(JSON.stringify({ error: 'invalid_client' }), {
        status: 401,
        headers: { 'content-type': 'application/json' },
      });
    const error = await oauthClient(fetch)
      .appointments.get({ appointmentId })
      .catch((e: unknown) => e);
    expect(isAuthenticationError(error)).toBe(true);
    if (!isAuthenticationError(error)) return;
    expect(error.code).toBe('invalid_client');
    const everything = `${error.message} ${error.stack} ${JSON.stringify(error)}`;
    expect(everything).not.toContain(clientSecret);
    expect(everything).not.toContain(btoa(`cli_partner:${clientSecret}`));
  });

  it('retries a token endpoint that answers 503 or 429, waiting its Retry-After', async () => {
    const answers = [
      problem(503, 'service_unavailable'),
      problem(429, 'rate_limited', { 'retry-after': '2' }),
    ];
    const api = fakeApi();
    const tokenCalls: string[] = [];
    const fetch: typeof globalThis.fetch = async (input, init) => {
      const request = new Request(input, init);
      if (new URL(request.url).pathname === '/oauth/token') {
        tokenCalls.push(request.method);
        const next = answers.shift();
        if (next) return next;
      }
      return api.fetch(input, init);
    };
    const clock = fakeClock();
    const result = await oauthClient(fetch, { clock, random: () => 0.5 })
      .appointments.get({ appointmentId })
      .withResponse();
    expect(result.status).toBe(200);
    expect(result.attempts).toBe(3);
    expect(tokenCalls).toHaveLength(3);
    expect(clock.sleeps).toEqual([250, 2000]);
  });

  it('reports a token endpoint that keeps failing as a ServerError, not as bad credentials', async () => {
    const fetch: typeof globalThis.fetch = async () => problem(500, 'internal_error');
    const error = await oauthClient(fetch, { clock: fakeClock(), retry: { maxRetries: 1 } })
      .appointments.get({ appointmentId })
      .catch((e: unknown) => e);
    expect(isServerError(error)).toBe(true);
    expect(isAuthenticationError(error)).toBe(false);
    expect(error).toMatchObject({
      status: 500,
      code: 'internal_error',
      operationId: 'oauth.token',
    });
  });

  it('never lets an access token or the secret reach a hook or an error', async () => {
    const api = fakeApi({ reject: new Set(['tok-1', 'tok-2']) });
    const lines: string[] = [];
    const log = (event: unknown) => lines.push(JSON.stringify(event));
    const client = oauthClient(api.fetch, {
      logBodies: true,
      hooks: {
        onRequest: log,
        onResponse: log,
        onRetry: log,
        onError: (e: { error: Error }) =>
          lines.push(`${e.error.message} ${e.error.stack} ${JSON.stringify(e.error)}`),
      },
    });
    const error = await client.appointments.get({ appointmentId }).catch((e: unknown) => e);
    expect(isAuthenticationError(error)).toBe(true);
    expect(api.apiRequests.map((r) => r.headers.get('authorization'))).toEqual([
      'Bearer tok-1',
      'Bearer tok-2',
    ]);
    expect(lines.length).toBeGreaterThanOrEqual(5);
    for (const line of lines) {
      for (const secret of ['tok-1', 'tok-2', clientSecret, btoa(`cli_partner:${clientSecret}`)]) {
        expect(line).not.toContain(secret);
      }
    }
  });

  it('stops waiting for a token when the call is aborted; other callers still get it', async () => {
    const api = fakeApi();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const fetch: typeof globalThis.fetch = async (input, init) => {
      if (new URL(new Request(input, init).url).pathname === '/oauth/token') await gate;
      return api.fetch(input, init);
    };
    const client = oauthClient(fetch);
    const controller = new AbortController();
    const aborted = client.appointments
      .get({ appointmentId }, { signal: controller.signal })
      .catch((e: unknown) => e);
    const patient = client.appointments.get({ appointmentId });
    await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    const error = await aborted;
    expect(error).toMatchObject({ name: 'AbortError', code: 'aborted' });
    expect(api.apiRequests).toHaveLength(0);
    release();
    await expect(patient).resolves.toMatchObject({ id: appointmentId });
    expect(api.tokenRequests).toHaveLength(1);
    expect(api.apiRequests).toHaveLength(1);
  });

  it('refuses options with neither an API key nor client credentials', () => {
    expect(
      () => new ClinicBridge({ baseUrl: BASE_URL, clientId: 'cli_x', clientSecret: '' }),
    ).toThrow(TypeError);
  });
});
