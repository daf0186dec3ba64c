/**
 * OAuth2 client-credentials tokens for providers such as Amadeus. The token is
 * cached and refreshed shortly before it expires; concurrent callers share one
 * token request (single flight), and a 401 forces one refresh, shared as well.
 */
import type { AuthStrategy } from './auth.ts';
import { ProviderError } from './errors.ts';

/**
 * Settings of {@link oauth2ClientCredentials}.
 *
 * @example
 * const options: OAuth2ClientCredentialsOptions = {
 *   provider: 'amadeus',
 *   tokenUrl: 'https://test.api.amadeus.com/v1/security/oauth2/token',
 *   clientId: 'id',
 *   clientSecret: 'secret',
 * };
 */
export interface OAuth2ClientCredentialsOptions {
  provider: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope?: string;
  /** Where the client credentials go: form body (Amadeus) or a Basic header. Default `body`. */
  credentialsIn?: 'body' | 'basic';
  /** Refresh this long before expiry, so no request leaves with a token about to lapse. Default 60 s. */
  refreshSkewMs?: number;
  /** Token request timeout. Default 10 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  now?: () => number;
}

/**
 * An {@link AuthStrategy} with cache state the tests and ops pages can read.
 *
 * @example
 * const auth = oauth2ClientCredentials(options);
 * auth.tokenRequests; // how many times the token endpoint was called
 */
export interface OAuth2ClientCredentials extends AuthStrategy {
  /** Number of token requests made so far. */
  readonly tokenRequests: number;
  /** Drops the cached token; the next request fetches a new one. */
  invalidate(): void;
}

interface CachedToken {
  value: string;
  refreshAt: number;
}

/**
 * Client-credentials grant with a cached, single-flight token.
 *
 * @example
 * const client = createProviderClient({
 *   provider: 'amadeus',
 *   baseUrl: 'https://test.api.amadeus.com',
 *   auth: oauth2ClientCredentials({ provider: 'amadeus', tokenUrl, clientId, clientSecret }),
 * });
 */
export function oauth2ClientCredentials(
  options: OAuth2ClientCredentialsOptions,
): OAuth2ClientCredentials {
  const now = options.now ?? Date.now;
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const skew = options.refreshSkewMs ?? 60_000;
  let cached: CachedToken | undefined;
  let inflight: Promise<CachedToken> | undefined;
  let tokenRequests = 0;

  const fail = (
    code: 'auth_failed' | 'provider_unavailable' | 'timeout',
    status?: number,
    providerCode?: string,
  ) =>
    new ProviderError({
      code,
      provider: options.provider,
      operation: 'auth.token',
      status,
      providerCode,
    });

  async function requestToken(): Promise<CachedToken> {
    tokenRequests += 1;
    const body = new URLSearchParams({ grant_type: 'client_credentials' });
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (options.credentialsIn === 'basic') {
      const pair = `${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret)}`;
      headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
    } else {
      body.set('client_id', options.clientId);
      body.set('client_secret', options.clientSecret);
    }
    if (options.scope) body.set('scope', options.scope);
    let response: Response;
    try {
      response = await doFetch(options.tokenUrl, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      throw fail((error as Error)?.name === 'TimeoutError' ? 'timeout' : 'provider_unavailable');
    }
    const payload = (await response.json().catch(() => undefined)) as
      | { access_token?: unknown; expires_in?: unknown; error?: unknown; code?: unknown }
      | undefined;
    if (!response.ok || typeof payload?.access_token !== 'string') {
      const providerCode =
        typeof payload?.error === 'string'
          ? payload.error
          : payload?.code !== undefined
            ? String(payload.code)
            : undefined;
      throw fail(
        response.status >= 500 ? 'provider_unavailable' : 'auth_failed',
        response.status,
        providerCode,
      );
    }
    const lifetimeMs = (typeof payload.expires_in === 'number' ? payload.expires_in : 300) * 1000;
    // Never cache for less than half the lifetime, however large the skew.
    const refreshIn = Math.max(lifetimeMs - skew, lifetimeMs / 2);
    return { value: payload.access_token, refreshAt: now() + refreshIn };
  }

  function token(): Promise<CachedToken> {
    if (cached && now() < cached.refreshAt) return Promise.resolve(cached);
    inflight ??= requestToken()
      .then((fresh) => {
        cached = fresh;
        return fresh;
      })
      .finally(() => {
        inflight = undefined;
      });
    return inflight;
  }

  return {
    get tokenRequests() {
      return tokenRequests;
    },
    invalidate() {
      cached = undefined;
    },
    async authorize(request) {
      const { value } = await token();
      request.headers.set('authorization', `Bearer ${value}`);
    },
    refresh(rejectedAuthorization) {
      // Only the first 401 for a given token drops it; requests that raced with
      // it reuse the refresh already under way instead of starting another.
      if (cached && rejectedAuthorization === `Bearer ${cached.value}`) cached = undefined;
      return true;
    },
  };
}
