/**
 * Client options and their defaults. Exactly one way to authenticate: an API
 * key, or OAuth client credentials (`clientId` + `clientSecret`).
 */
import type { Scope } from '../../contract/scopes.ts';
import { apiKeyAuth } from '../auth/api-key.ts';
import { oauthClientCredentials } from '../auth/oauth.ts';
import type { TokenCache } from '../auth/types.ts';
import type { ClientHooks } from '../hooks/types.ts';
import { defaultRetryOptions, type RetryOptions } from '../retry/policy.ts';
import { systemClock } from './clock.ts';
import type { Clock, EngineConfig, ValidationMode } from './types.ts';

/** Options every client takes, whatever its authentication. */
export interface CommonClientOptions {
  /** Root of the API, e.g. `https://api.clinicbridge.example` (without `/api/v1`). */
  baseUrl: string;
  /** A `fetch` to use instead of the global one (proxies, tests, edge runtimes). */
  fetch?: typeof globalThis.fetch | undefined;
  /** Timeout of each attempt in ms. Default 30 000. */
  timeout?: number | undefined;
  retry?: Partial<RetryOptions> | undefined;
  /** Response validation mode. Default `strict`. */
  validation?: ValidationMode | undefined;
  hooks?: ClientHooks | undefined;
  /** Hand request and response bodies (secret fields redacted) to hooks. Default false: bodies may hold patient data. */
  logBodies?: boolean | undefined;
  /** Headers sent with every request. */
  headers?: Record<string, string> | undefined;
  /** Supplies the `traceparent` of the active span, e.g. from OpenTelemetry. */
  traceparent?: (() => string | undefined) | undefined;
  /** Time source and sleep (tests). */
  clock?: Clock | undefined;
  /** Random source in [0, 1) for backoff jitter (tests). */
  random?: (() => number) | undefined;
  /** Generates idempotency keys. Default `crypto.randomUUID()`. */
  generateId?: (() => string) | undefined;
}

/** Authenticate with an API key (an integration token). */
export interface ApiKeyClientOptions extends CommonClientOptions {
  apiKey: string;
  clientId?: never;
  clientSecret?: never;
  scopes?: never;
  tokenCache?: never;
  refreshSkew?: never;
}

/** Authenticate with OAuth client credentials. */
export interface OAuthClientOptions extends CommonClientOptions {
  apiKey?: never;
  clientId: string;
  clientSecret: string;
  /** Scopes to request for the token. */
  scopes?: readonly Scope[] | undefined;
  /** Where tokens are kept; share one over KV or Redis across instances. Default: in memory. */
  tokenCache?: TokenCache | undefined;
  /** Refresh a token this many ms before it expires (clock-skew allowance). Default 60 000. */
  refreshSkew?: number | undefined;
}

/**
 * Options of `new ClinicBridge(...)`.
 *
 * @example
 * const options: ClinicBridgeOptions = { baseUrl: 'https://api.clinicbridge.example', apiKey: process.env.CLINICBRIDGE_API_KEY! };
 */
export type ClinicBridgeOptions = ApiKeyClientOptions | OAuthClientOptions;

/**
 * Applies defaults and builds the auth strategy.
 *
 * @example
 * const config = resolveConfig({ baseUrl, apiKey });
 */
export function resolveConfig(options: ClinicBridgeOptions): EngineConfig {
  if (!options.baseUrl) throw new TypeError('baseUrl is required');
  // Resolved at call time so a fetch patched later (MSW, instrumentation) is used.
  const fetchImpl: typeof globalThis.fetch =
    options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const clock = options.clock ?? systemClock;
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const timeout = options.timeout ?? 30_000;
  const auth =
    options.apiKey !== undefined
      ? apiKeyAuth(options.apiKey)
      : oauthClientCredentials({
          baseUrl,
          clientId: options.clientId,
          clientSecret: options.clientSecret,
          scopes: options.scopes,
          tokenCache: options.tokenCache,
          refreshSkew: options.refreshSkew,
          fetch: fetchImpl,
          now: () => clock.now(),
          timeout,
        });
  if (options.apiKey === undefined && (!options.clientId || !options.clientSecret)) {
    throw new TypeError('pass either apiKey, or clientId and clientSecret');
  }
  return {
    baseUrl,
    auth,
    fetch: fetchImpl,
    timeout,
    retry: { ...defaultRetryOptions, ...options.retry },
    validation: options.validation ?? 'strict',
    hooks: options.hooks ?? {},
    logBodies: options.logBodies ?? false,
    headers: options.headers ?? {},
    clock,
    random: options.random ?? Math.random,
    generateId: options.generateId ?? (() => globalThis.crypto.randomUUID()),
    traceparent: options.traceparent,
  };
}
