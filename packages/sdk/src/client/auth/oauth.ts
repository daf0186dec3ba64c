/**
 * OAuth 2.1 client credentials (`POST /oauth/token`). Tokens are cached and
 * refreshed `refreshSkew` before they expire, so a request never leaves with
 * a token that dies in flight or on a server whose clock runs ahead. Concurrent
 * callers share one token request (single flight). After a 401 the token is
 * dropped from the cache only if it is still the one that was rejected, so a
 * burst of 401s triggers one refresh, not one per request.
 */
import {
  AbortError,
  AuthenticationError,
  ConnectionError,
  TimeoutError,
} from '../errors/errors.ts';
import { errorFromResponse } from '../errors/from-response.ts';
import { isRetryableStatus, serverDelayHint } from '../retry/policy.ts';
import { MemoryTokenCache } from './memory-token-cache.ts';
import type { AuthStrategy, CachedToken, TokenCache } from './types.ts';

/**
 * Settings of the client-credentials flow.
 *
 * @example
 * const settings: OAuthSettings = { baseUrl, clientId, clientSecret, scopes: ['read:appointments'] };
 */
export interface OAuthSettings {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /** Scopes to request; the server grants at most those of the client. */
  scopes?: readonly string[] | undefined;
  tokenCache?: TokenCache | undefined;
  /** Refresh this many ms before expiry. Default 60 000. */
  refreshSkew?: number | undefined;
  /** Default: the global `fetch`, looked up at call time. */
  fetch?: typeof globalThis.fetch | undefined;
  /** Epoch milliseconds. Default `Date.now`. */
  now?: (() => number) | undefined;
  /** Timeout of one token request in ms. Default 30 000. */
  timeout?: number | undefined;
}

/**
 * `OAUTH_TOKEN_PATH` of the contract, repeated here because importing it would
 * pull that module's zod schemas into every bundle (a test keeps them equal).
 *
 * @example
 * await fetch(`${baseUrl}${TOKEN_PATH}`, { method: 'POST', body: form });
 */
export const TOKEN_PATH = '/oauth/token';

function basic(id: string, secret: string): string {
  // RFC 6749 §2.3.1: form-encode each part before Base64.
  const pair = `${encodeURIComponent(id)}:${encodeURIComponent(secret)}`;
  const bytes = new TextEncoder().encode(pair);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return `Basic ${btoa(binary)}`;
}

/**
 * Waits for `promise`, or rejects with an `AbortError` as soon as `signal`
 * aborts. Only this caller stops waiting: a token request shared with other
 * calls carries on for them.
 */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () =>
      reject(
        new AbortError('oauth.token: the call was aborted while waiting for an access token', {
          code: 'aborted',
          operationId: 'oauth.token',
          cause: signal.reason,
        }),
      );
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Creates the OAuth client-credentials strategy.
 *
 * @example
 * const auth = oauthClientCredentials({ baseUrl, clientId, clientSecret, scopes: ['read:appointments'] });
 * const client = new ClinicBridgeClient({ baseUrl, auth });
 * const token = await auth.credential();
 */
export function oauthClientCredentials(settings: OAuthSettings): AuthStrategy {
  const cache = settings.tokenCache ?? new MemoryTokenCache();
  const skew = settings.refreshSkew ?? 60_000;
  const fetchImpl = settings.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const now = settings.now ?? Date.now;
  const scope = settings.scopes ? [...settings.scopes].sort().join(' ') : '';
  // The key names the client and scopes, never the secret.
  const key = `clinicbridge:oauth:${settings.baseUrl}:${settings.clientId}:${scope}`;
  let inflight: Promise<CachedToken> | undefined;

  async function requestToken(): Promise<CachedToken> {
    const body = new URLSearchParams({ grant_type: 'client_credentials' });
    if (scope) body.set('scope', scope);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), settings.timeout ?? 30_000);
    let response: Response;
    let payload: Record<string, unknown>;
    try {
      response = await fetchImpl(`${settings.baseUrl}${TOKEN_PATH}`, {
        method: 'POST',
        headers: {
          authorization: basic(settings.clientId, settings.clientSecret),
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: body.toString(),
        signal: controller.signal,
      });
      payload = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    } catch (cause) {
      const init = { code: 'connection_error', operationId: 'oauth.token', cause };
      if (controller.signal.aborted) {
        throw new TimeoutError('oauth.token timed out fetching an access token', {
          ...init,
          code: 'timeout',
        });
      }
      throw new ConnectionError('oauth.token failed: could not reach the token endpoint', init);
    } finally {
      clearTimeout(timer);
    }
    const requestId = response.headers.get('x-request-id') ?? undefined;
    if (isRetryableStatus(response.status, undefined)) {
      // The endpoint is overloaded or down, not refusing these credentials:
      // a typed 5xx/429 error lets the call retry instead of failing as auth.
      const hint = serverDelayHint(response.headers, response.status, now());
      throw errorFromResponse({
        status: response.status,
        body: payload,
        requestId,
        operationId: 'oauth.token',
        retryAfter: hint === undefined ? undefined : Math.ceil(hint / 1000),
      });
    }
    const token = payload.access_token;
    const expiresIn = payload.expires_in;
    if (!response.ok || typeof token !== 'string' || typeof expiresIn !== 'number') {
      const code = typeof payload.error === 'string' ? payload.error : 'invalid_client';
      throw new AuthenticationError(
        `oauth.token failed: the token endpoint answered ${response.status} (${code}); check clientId, clientSecret and scopes`,
        { status: response.status, code, requestId, operationId: 'oauth.token' },
      );
    }
    const fresh = { accessToken: token, expiresAt: now() + expiresIn * 1000 };
    await cache.set(key, fresh);
    return fresh;
  }

  return {
    async credential(signal) {
      const cached = await cache.get(key);
      if (cached && cached.expiresAt - skew > now()) return cached.accessToken;
      inflight ??= requestToken().finally(() => {
        inflight = undefined;
      });
      return (await untilAborted(inflight, signal)).accessToken;
    },
    async rejected(credential) {
      const cached = await cache.get(key);
      if (cached?.accessToken === credential) await cache.delete(key);
      return true;
    },
  };
}
