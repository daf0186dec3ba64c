/**
 * Rate-limit buckets in Redis, shared by every server process: the same
 * token bucket as the in-process limiter (per credential, sized by tier,
 * refilled continuously), taken atomically by one Lua script. When Redis
 * does not answer, the take falls back to this process's own buckets (never
 * to no limit) and `onOutage` is told once per outage; `onRecovery` when
 * Redis answers again. With N processes during an outage a credential may
 * get up to N times its limit, as without Redis.
 */
import type { Tier } from '../http/context.ts';
import {
  type RateDecision,
  type RateLimits,
  rateDecision,
  refillPerMs,
  type TierLimits,
  WINDOW_SECONDS,
} from '../http/rate-limit.ts';
import type { SharedRedis } from './client.ts';
import { RedisOutage } from './outage.ts';

// KEYS[1] bucket; ARGV: limit, refill per ms, now (ms), ttl (ms).
// Returns {allowed (0/1), tokens left as a string (Lua numbers would be truncated)}.
const TAKE = `
local b = redis.call('HMGET', KEYS[1], 't', 'u')
local limit = tonumber(ARGV[1])
local now = tonumber(ARGV[3])
local tokens = tonumber(b[1]) or limit
local updated = tonumber(b[2]) or now
tokens = math.min(limit, tokens + math.max(0, now - updated) * tonumber(ARGV[2]))
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'u', tostring(now))
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return {allowed, tostring(tokens)}`;

/**
 * Options of {@link RedisRateLimiter}.
 *
 * @example
 * new RedisRateLimiter({ redis, limits, fallback: new RateLimiter(limits), onOutage: (e) => log.warn(e) });
 */
export interface RedisRateLimiterOptions {
  readonly redis: SharedRedis;
  readonly limits: TierLimits;
  /** Takes while Redis does not answer: this process's own buckets. */
  readonly fallback: RateLimits;
  readonly now?: () => number;
  readonly onOutage?: (error: unknown) => void;
  readonly onRecovery?: () => void;
}

/**
 * Shared token buckets, keyed `<prefix>ratelimit:<tier>:<credential id>`.
 *
 * @example
 * const decision = await limiter.take('key_…', 'standard');
 */
export class RedisRateLimiter implements RateLimits {
  readonly #options: RedisRateLimiterOptions;
  readonly #outage: RedisOutage;

  constructor(options: RedisRateLimiterOptions) {
    this.#options = options;
    this.#outage = new RedisOutage(options);
  }

  async take(key: string, tier: Tier): Promise<RateDecision> {
    const { redis, limits } = this.#options;
    const limit = limits[tier];
    const now = (this.#options.now ?? Date.now)();
    return this.#outage.call(
      async () => {
        const [allowed, tokens] = (await redis.client.eval(
          TAKE,
          1,
          `${redis.prefix}ratelimit:${tier}:${key}`,
          String(limit),
          String(refillPerMs(limit)),
          String(now),
          String(WINDOW_SECONDS * 2 * 1000),
        )) as [number, string];
        return rateDecision(tier, limit, Number(tokens), allowed === 1);
      },
      () => this.#options.fallback.take(key, tier),
    );
  }
}
