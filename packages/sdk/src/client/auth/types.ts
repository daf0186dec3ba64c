/**
 * How the engine obtains the `Authorization` header. API keys are static;
 * OAuth tokens are fetched, cached and refreshed behind the same interface.
 */

/**
 * Supplies the bearer credential for each attempt.
 *
 * @example
 * const fromVault: AuthStrategy = { credential: () => vault.read('clinicbridge-key'), rejected: async () => false };
 */
export interface AuthStrategy {
  /**
   * The credential to send as `Authorization: Bearer <credential>`. `signal` is
   * the call's: a strategy that has to fetch a credential should stop waiting
   * for it when the call is aborted.
   */
  credential(signal?: AbortSignal): Promise<string>;
  /**
   * Called once when a request got 401 with `credential`; returns true when a
   * fresh credential may fix it, so the request is retried one time.
   */
  rejected(credential: string): Promise<boolean>;
}

/**
 * A cached OAuth access token.
 *
 * @example
 * const token: CachedToken = { accessToken: 'eyJ…', expiresAt: Date.now() + 900_000 };
 */
export interface CachedToken {
  accessToken: string;
  /** Expiry as epoch milliseconds. */
  expiresAt: number;
}

/**
 * Where OAuth tokens are kept between calls. Implement it over KV or Redis
 * so serverless functions and several instances share one token.
 *
 * @example
 * const redisCache: TokenCache = {
 *   get: async (key) => JSON.parse((await redis.get(key)) ?? 'null') ?? undefined,
 *   set: async (key, token) => { await redis.set(key, JSON.stringify(token), { PXAT: token.expiresAt }); },
 *   delete: async (key) => { await redis.del(key); },
 * };
 */
export interface TokenCache {
  get(key: string): Promise<CachedToken | undefined> | CachedToken | undefined;
  set(key: string, token: CachedToken): Promise<void> | void;
  delete(key: string): Promise<void> | void;
}
