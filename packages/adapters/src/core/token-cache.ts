/**
 * Where access tokens are kept between calls, by key. The in-memory cache
 * serves one process; the server can back the interface by its database or
 * a shared cache so several processes (or several tenants' clients) reuse
 * one token instead of each asking the provider for its own.
 */

/**
 * A cached token and the time (epoch ms) it should be refreshed at.
 *
 * @example
 * const token: CachedToken = { value: 'eyJ…', refreshAt: Date.now() + 240_000 };
 */
export interface CachedToken {
  value: string;
  refreshAt: number;
}

/**
 * Keyed token storage. Implementations may be asynchronous; a shared one
 * (Redis) also offers {@link TokenCache.lock} so processes fetch one token.
 *
 * @example
 * const cache: TokenCache = new InMemoryTokenCache();
 * await cache.set('d365:token:tnt_1', { value: 't', refreshAt: Date.now() + 60_000 });
 */
export interface TokenCache {
  get(key: string): CachedToken | undefined | Promise<CachedToken | undefined>;
  set(key: string, token: CachedToken): void | Promise<void>;
  delete(key: string): void | Promise<void>;
  /**
   * Optional single flight across processes: takes a short lock on `key`
   * for at most `ttlMs` and resolves to its release, or to `undefined` when
   * another holder has it (the caller then waits for that holder's token).
   * Caches shared by several processes implement it; in-process caches need not.
   */
  lock?(key: string, ttlMs: number): Promise<(() => Promise<void>) | undefined>;
}

/**
 * A {@link TokenCache} in a `Map`, for one process and for tests.
 *
 * @example
 * const cache = new InMemoryTokenCache();
 * cache.keys(); // ['d365:token:tnt_1', …]
 */
export class InMemoryTokenCache implements TokenCache {
  private readonly tokens = new Map<string, CachedToken>();

  get(key: string): CachedToken | undefined {
    return this.tokens.get(key);
  }

  set(key: string, token: CachedToken): void {
    this.tokens.set(key, token);
  }

  delete(key: string): void {
    this.tokens.delete(key);
  }

  /** The keys held, for tests and ops pages. */
  keys(): string[] {
    return [...this.tokens.keys()];
  }
}
