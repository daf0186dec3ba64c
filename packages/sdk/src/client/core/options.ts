/**
 * Client options and their defaults. Exactly one way to authenticate: an API
 * key, or OAuth client credentials (`clientId` + `clientSecret`).
 */
import type { Scope } from '../../contract/scopes.ts';
import { apiKeyAuth } from '../auth/api-key.ts';
import type { AuthStrategy, TokenCache } from '../auth/types.ts';
import type { ClientHooks } from '../hooks/types.ts';
import { defaultRetryOptions, type RetryOptions } from '../retry/policy.ts';
import { systemClock } from './clock.ts';
import type { Clock, EngineConfig, ValidationMode } from './types.ts';

/**
 * Options every client takes, whatever its authentication.
 *
 * @example
 * const common: CommonClientOptions = { baseUrl, timeout: 10_000, retry: { maxRetries: 4 } };
 */
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

/**
 * Authenticate with an API key (an integration token).
 *
 * @example
 * const options: ApiKeyClientOptions = { baseUrl, apiKey: process.env.CLINICBRIDGE_API_KEY! };
 */
export interface ApiKeyClientOptions extends CommonClientOptions {
  apiKey: string;
  auth?: never;
  clientId?: never;
  clientSecret?: never;
  scopes?: never;
  tokenCache?: never;
  refreshSkew?: never;
}

/**
 * Authenticate with OAuth client credentials.
 *
 * @example
 * const options: OAuthClientOptions = { baseUrl, clientId, clientSecret, scopes: ['read:appointments'] };
 */
export interface OAuthClientOptions extends CommonClientOptions {
  apiKey?: never;
  auth?: never;
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
 * Authenticate through any strategy, e.g. `oauthClientCredentials(...)` with
 * `ClinicBridgeClient`, or a credential kept in a secrets manager.
 *
 * @example
 * const options: CustomAuthClientOptions = { baseUrl, auth: oauthClientCredentials({ baseUrl, clientId, clientSecret }) };
 */
export interface CustomAuthClientOptions extends CommonClientOptions {
  auth: AuthStrategy;
  apiKey?: never;
  clientId?: never;
  clientSecret?: never;
  scopes?: never;
  tokenCache?: never;
  refreshSkew?: never;
}

/**
 * Options of `new ClinicBridgeClient(...)`: an API key or an auth strategy.
 *
 * @example
 * const options: ClientCoreOptions = { baseUrl, auth: oauthClientCredentials({ baseUrl, clientId, clientSecret }) };
 */
export type ClientCoreOptions = ApiKeyClientOptions | CustomAuthClientOptions;

/**
 * Options of `new ClinicBridge(...)`.
 *
 * @example
 * const options: ClinicBridgeOptions = { baseUrl: 'https://api.clinicbridge.example', apiKey: process.env.CLINICBRIDGE_API_KEY! };
 */
export type ClinicBridgeOptions = ClientCoreOptions | OAuthClientOptions;

/**
 * Applies defaults. OAuth options are turned into an `auth` strategy by
 * `ClinicBridge` before they get here, so this module (and every bundle that
 * only uses API keys) carries no OAuth code.
 *
 * @example
 * const config = resolveConfig({ baseUrl, apiKey });
 */
export function resolveConfig(options: ClientCoreOptions): EngineConfig {
  if (!options.baseUrl) throw new TypeError('baseUrl is required');
  const auth = options.auth ?? (options.apiKey !== undefined ? apiKeyAuth(options.apiKey) : null);
  if (!auth) {
    throw new TypeError(
      'pass apiKey or auth; for clientId and clientSecret use ClinicBridge, or auth: oauthClientCredentials(...)',
    );
  }
  return {
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    auth,
    // Resolved at call time so a fetch patched later (MSW, instrumentation) is used.
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    timeout: options.timeout ?? 30_000,
    retry: { ...defaultRetryOptions, ...options.retry },
    validation: options.validation ?? 'strict',
    hooks: options.hooks ?? {},
    logBodies: options.logBodies ?? false,
    headers: options.headers ?? {},
    clock: options.clock ?? systemClock,
    random: options.random ?? Math.random,
    generateId: options.generateId ?? (() => globalThis.crypto.randomUUID()),
    traceparent: options.traceparent,
  };
}
