/** The default token cache: a Map in this process. */
import type { CachedToken, TokenCache } from './types.ts';

/**
 * Keeps tokens in memory; the default when no `tokenCache` is given.
 *
 * @example
 * const cache = new MemoryTokenCache();
 * new ClinicBridge({ baseUrl, clientId, clientSecret, scopes, tokenCache: cache });
 */
export class MemoryTokenCache implements TokenCache {
  readonly #tokens = new Map<string, CachedToken>();

  get(key: string): CachedToken | undefined {
    return this.#tokens.get(key);
  }

  set(key: string, token: CachedToken): void {
    this.#tokens.set(key, token);
  }

  delete(key: string): void {
    this.#tokens.delete(key);
  }
}
