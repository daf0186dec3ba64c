/**
 * OAuth2 tokens for providers such as Amadeus (client credentials) and
 * Google (JWT-bearer assertion of a service account). The token is cached
 * and refreshed shortly before it expires; concurrent callers share one token
 * request (single flight; across processes too when the cache can lock),
 * and a 401 forces one refresh, shared as well.
 * Given a {@link TokenCache} and a key, the token lives there instead of in
 * the strategy, so per-tenant tokens can sit side by side under their keys.
 */
import type { AuthStrategy } from './auth.ts';
import { ProviderError } from './errors.ts';
import type { CachedToken, TokenCache } from './token-cache.ts';

/** How often a process waiting on another's token request looks for the token. */
const SHARED_POLL_MS = 50;

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
  /**
   * `form` (RFC 6749, default) or `json`: a JSON body `{ clientId, clientSecret,
   * grantType }` answered with `{ accessToken, expiresIn }`, as the ABDM gateway does.
   */
  encoding?: 'form' | 'json';
  /** Refresh this long before expiry, so no request leaves with a token about to lapse. Default 60 s. */
  refreshSkewMs?: number;
  /** Token request timeout. Default 10 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  now?: () => number;
  /** Shared token storage; default a private in-memory slot. */
  cache?: TokenCache;
  /** Key of this token in `cache`. Default `oauth2:{provider}:{clientId}`. */
  cacheKey?: string;
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

/**
 * Settings of {@link oauth2JwtBearer} (RFC 7523 JWT-bearer grant).
 *
 * @example
 * const options: OAuth2JwtBearerOptions = {
 *   provider: 'fcm', tokenUrl: 'https://oauth2.googleapis.com/token',
 *   assertion: () => signServiceAccountJwt(account), cacheKey: 'fcm:token:project-1',
 * };
 */
export interface OAuth2JwtBearerOptions
  extends Omit<OAuth2ClientCredentialsOptions, 'clientId' | 'clientSecret' | 'credentialsIn'> {
  /** A freshly signed assertion for each token request. */
  assertion: () => Promise<string>;
}

/**
 * Settings shared by every grant: where the token endpoint is, how to cache.
 *
 * @example
 * const options: GrantOptions = { provider: 'fhir', tokenUrl: 'https://fhir.example/auth/token' };
 */
export type GrantOptions = Omit<OAuth2ClientCredentialsOptions, 'clientId' | 'clientSecret'>;

/**
 * The body and headers of one token request.
 *
 * @example
 * const grant: Grant = { body: new URLSearchParams({ grant_type: 'client_credentials' }), headers: {} };
 */
export interface Grant {
  body: URLSearchParams | string;
  headers: Record<string, string>;
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
  return tokenGrantAuth(options, `oauth2:${options.provider}:${options.clientId}`, async () => {
    if (options.encoding === 'json') {
      const json = {
        clientId: options.clientId,
        clientSecret: options.clientSecret,
        grantType: 'client_credentials',
        ...(options.scope ? { scope: options.scope } : {}),
      };
      return { body: JSON.stringify(json), headers: { 'content-type': 'application/json' } };
    }
    const body = new URLSearchParams({ grant_type: 'client_credentials' });
    const headers: Record<string, string> = {};
    if (options.credentialsIn === 'basic') {
      const pair = `${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret)}`;
      headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
    } else {
      body.set('client_id', options.clientId);
      body.set('client_secret', options.clientSecret);
    }
    return { body, headers };
  });
}

/**
 * JWT-bearer grant (`urn:ietf:params:oauth:grant-type:jwt-bearer`), as
 * Google service accounts use it, with the same cache and single flight.
 *
 * @example
 * const auth = oauth2JwtBearer({ provider: 'fcm', tokenUrl, assertion: () => sign(account) });
 */
export function oauth2JwtBearer(options: OAuth2JwtBearerOptions): OAuth2ClientCredentials {
  return tokenGrantAuth(options, `oauth2:${options.provider}:jwt`, async () => ({
    body: new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion: await options.assertion(),
    }),
    headers: {},
  }));
}

/**
 * The cached, single-flight token strategy behind every grant: `grant`
 * builds each token request; caching, refresh before expiry and the shared
 * 401 refresh are the same for all. Exported for grants kept in their own
 * modules (private_key_jwt), not from the package root.
 *
 * @example
 * const auth = tokenGrantAuth(options, 'oauth2:x:jwt', async () => ({ body: new URLSearchParams(), headers: {} }));
 */
export function tokenGrantAuth(
  options: GrantOptions,
  defaultKey: string,
  grant: () => Promise<Grant>,
): OAuth2ClientCredentials {
  const now = options.now ?? Date.now;
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const skew = options.refreshSkewMs ?? 60_000;
  const key = options.cacheKey ?? defaultKey;
  let own: CachedToken | undefined;
  const cache: TokenCache = options.cache ?? {
    get: () => own,
    set: (_key, token) => {
      own = token;
    },
    delete: () => {
      own = undefined;
    },
  };
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
    const { body, headers } = await grant();
    if (body instanceof URLSearchParams) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      if (options.scope) body.set('scope', options.scope);
    }
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
      | {
          access_token?: unknown;
          expires_in?: unknown;
          accessToken?: unknown;
          expiresIn?: unknown;
          error?: unknown;
          code?: unknown;
        }
      | undefined;
    const accessToken = payload?.access_token ?? payload?.accessToken;
    const expiresIn = payload?.expires_in ?? payload?.expiresIn;
    if (!response.ok || typeof accessToken !== 'string') {
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
    const lifetimeMs = (typeof expiresIn === 'number' ? expiresIn : 300) * 1000;
    // Never cache for less than half the lifetime, however large the skew.
    const refreshIn = Math.max(lifetimeMs - skew, lifetimeMs / 2);
    return { value: accessToken, refreshAt: now() + refreshIn };
  }

  async function fetchAndStore(): Promise<CachedToken> {
    const fresh = await requestToken();
    await cache.set(key, fresh);
    return fresh;
  }

  async function fresh(): Promise<CachedToken | undefined> {
    const cached = await cache.get(key);
    return cached && now() < cached.refreshAt ? cached : undefined;
  }

  // Single flight across processes, where the cache is shared and can lock:
  // the lock holder fetches; the others wait for its token, at most as long
  // as the lock lives, and fetch themselves if none appears.
  async function fetchShared(): Promise<CachedToken> {
    if (!cache.lock) return fetchAndStore();
    const lockMs = (options.timeoutMs ?? 10_000) + 1_000;
    const release = await cache.lock(key, lockMs);
    if (release) {
      try {
        return (await fresh()) ?? (await fetchAndStore());
      } finally {
        await release();
      }
    }
    const deadline = Date.now() + lockMs;
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, SHARED_POLL_MS));
      const stored = await fresh();
      if (stored) return stored;
    }
    return fetchAndStore();
  }

  async function token(): Promise<CachedToken> {
    const cached = await fresh();
    if (cached) return cached;
    inflight ??= fetchShared().finally(() => {
      inflight = undefined;
    });
    return inflight;
  }

  return {
    get tokenRequests() {
      return tokenRequests;
    },
    invalidate() {
      void cache.delete(key);
    },
    async authorize(request) {
      const { value } = await token();
      request.headers.set('authorization', `Bearer ${value}`);
    },
    async refresh(rejectedAuthorization) {
      // Only the first 401 for a given token drops it; requests that raced with
      // it reuse the refresh already under way instead of starting another.
      const cached = await cache.get(key);
      if (cached && rejectedAuthorization === `Bearer ${cached.value}`) await cache.delete(key);
      return true;
    },
  };
}
