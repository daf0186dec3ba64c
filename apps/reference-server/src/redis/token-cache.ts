/**
 * The adapters' OAuth2 token cache in Redis, shared by every server
 * process: a token lives under `<prefix><key>` (the adapters' keys:
 * `whatsapp:access_token`, `amadeus:token`, `fhir:token:{tenant}`) until
 * its refresh time, which is the provider's expiry minus the adapter's
 * margin, so Redis drops it before it lapses. A short lock
 * (`<prefix><key>:lock`, `SET NX PX`) lets one process fetch while the others
 * wait for its token. When Redis does not answer, every operation falls
 * back to this process's own in-memory cache (each process then fetches its
 * own token, as without Redis) and `onOutage` is told once per outage.
 */
import { randomUUID } from 'node:crypto';
import { type CachedToken, InMemoryTokenCache, type TokenCache } from '@clinicbridge/adapters';
import type { SharedRedis } from './client.ts';
import { RedisOutage } from './outage.ts';

// Deletes the lock only while it is still ours (it may have expired and been taken).
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * A {@link TokenCache} in Redis with an in-process fallback.
 *
 * @example
 * const cache = new RedisTokenCache(shared, { onOutage: (error) => logger.warn({ err: error }, 'redis down') });
 * oauth2ClientCredentials({ ...options, cache, cacheKey: 'amadeus:token' });
 */
export class RedisTokenCache implements TokenCache {
  readonly #redis: SharedRedis;
  readonly #local = new InMemoryTokenCache();
  readonly #outage: RedisOutage;

  constructor(redis: SharedRedis, options: { onOutage?: (error: unknown) => void } = {}) {
    this.#redis = redis;
    this.#outage = new RedisOutage(options);
  }

  async get(key: string): Promise<CachedToken | undefined> {
    return this.#outage.call(
      async () => {
        const stored = await this.#redis.client.get(this.#key(key));
        return stored ? parseToken(stored) : undefined;
      },
      () => this.#local.get(key),
    );
  }

  async set(key: string, token: CachedToken): Promise<void> {
    const ttlMs = Math.floor(token.refreshAt - Date.now());
    if (ttlMs <= 0) return;
    await this.#outage.call(
      async () => {
        await this.#redis.client.set(this.#key(key), JSON.stringify(token), 'PX', ttlMs);
      },
      () => this.#local.set(key, token),
    );
  }

  async delete(key: string): Promise<void> {
    this.#local.delete(key);
    await this.#outage.call(
      async () => {
        await this.#redis.client.del(this.#key(key));
      },
      () => undefined,
    );
  }

  async lock(key: string, ttlMs: number): Promise<(() => Promise<void>) | undefined> {
    const lockKey = `${this.#key(key)}:lock`;
    const owner = randomUUID();
    const noop = async () => undefined;
    return this.#outage.call(
      async () => {
        const taken = await this.#redis.client.set(lockKey, owner, 'PX', ttlMs, 'NX');
        if (taken !== 'OK') return undefined;
        return async () => {
          await this.#redis.client.eval(RELEASE, 1, lockKey, owner).catch(() => undefined);
        };
      },
      // Without Redis this process fetches for itself.
      () => noop,
    );
  }

  #key(key: string): string {
    return `${this.#redis.prefix}${key}`;
  }
}

function parseToken(stored: string): CachedToken | undefined {
  try {
    const parsed = JSON.parse(stored) as Partial<CachedToken>;
    return typeof parsed.value === 'string' && typeof parsed.refreshAt === 'number'
      ? { value: parsed.value, refreshAt: parsed.refreshAt }
      : undefined;
  } catch {
    return undefined;
  }
}
