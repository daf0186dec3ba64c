/**
 * Calling Redis with a way around it. While Redis does not answer, the
 * local path (in-process, or PostgreSQL) answers instead; the first failure
 * of an outage is reported once (`onOutage`, where the caller raises its
 * alert) and the first answer after it ends the outage (`onRecovery`).
 * Shared by the token cache, the rate limits and the sender quotas.
 */

/**
 * What to do when an outage starts and ends.
 *
 * @example
 * const hooks: OutageHooks = { onOutage: (error) => alert('redis_unavailable', error) };
 */
export interface OutageHooks {
  onOutage?: (error: unknown) => void;
  onRecovery?: () => void;
}

/**
 * The outage state of one Redis-backed store.
 *
 * @example
 * const redisOutage = new RedisOutage({ onOutage });
 * const value = await redisOutage.call(() => redis.client.get(key), () => local.get(key));
 */
export class RedisOutage {
  readonly #hooks: OutageHooks;
  #down = false;

  constructor(hooks: OutageHooks = {}) {
    this.#hooks = hooks;
  }

  /** Runs `remote`; when it fails, runs `local` instead and reports an outage once. */
  async call<T>(remote: () => Promise<T>, local: () => T | Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await remote();
    } catch (error) {
      if (!this.#down) {
        this.#down = true;
        this.#hooks.onOutage?.(error);
      }
      return local();
    }
    if (this.#down) {
      this.#down = false;
      this.#hooks.onRecovery?.();
    }
    return result;
  }
}
