/**
 * Per-credential rate limits: a token bucket per API key or OAuth client,
 * sized by the credential's tier, refilled continuously. {@link RateLimiter}
 * keeps the buckets in this process's memory (with several server processes
 * each enforces its own share); `redis/rate-limit.ts` keeps them in Redis,
 * shared by every process. Headers follow the IETF RateLimit fields draft:
 * `RateLimit-Policy` and `RateLimit`.
 */
import type { Tier } from './context.ts';

/**
 * Limits per tier, in requests per minute.
 *
 * @example
 * const limits: TierLimits = { standard: 600, high: 6000 };
 */
export type TierLimits = Record<Tier, number>;

/**
 * Outcome of taking one request from a bucket.
 *
 * @example
 * const decision: RateDecision = limiter.take('tok_…', 'standard'); if (!decision.allowed) console.log(decision.retryAfter);
 */
export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until one more request is allowed (0 when allowed). */
  retryAfter: number;
  /** Seconds until the bucket is full again. */
  reset: number;
  headers: Record<string, string>;
}

/**
 * Where buckets live: this process (the default) or a shared store.
 *
 * @example
 * const limits: RateLimits = new RateLimiter({ standard: 600, high: 6000 });
 * const decision = await limits.take('tok_…', 'standard');
 */
export interface RateLimits {
  take(key: string, tier: Tier): RateDecision | Promise<RateDecision>;
}

/**
 * Tokens refilled per millisecond for `limit` requests per minute.
 *
 * @example
 * refillPerMs(600); // 0.01
 */
export function refillPerMs(limit: number): number {
  return limit / (WINDOW_SECONDS * 1000);
}

/**
 * The decision and headers for a bucket left with `tokens` after a take.
 *
 * @example
 * const decision = rateDecision('standard', 600, 12.5, true);
 */
export function rateDecision(
  tier: Tier,
  limit: number,
  tokens: number,
  allowed: boolean,
): RateDecision {
  const perMs = refillPerMs(limit);
  const remaining = Math.floor(tokens);
  const retryAfter = allowed ? 0 : Math.ceil((1 - tokens) / perMs / 1000);
  const reset = Math.ceil((limit - tokens) / perMs / 1000);
  const headers: Record<string, string> = {
    'RateLimit-Policy': `"${tier}";q=${limit};w=${WINDOW_SECONDS}`,
    RateLimit: `"${tier}";r=${remaining};t=${allowed ? reset : retryAfter}`,
  };
  if (!allowed) headers['Retry-After'] = String(retryAfter);
  return { allowed, limit, remaining, retryAfter, reset, headers };
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** The window of the limits: requests per minute. */
export const WINDOW_SECONDS = 60;
const MAX_BUCKETS = 100_000;

/**
 * Token buckets keyed by credential id, with an injectable clock.
 *
 * @example
 * const limiter = new RateLimiter({ standard: 600, high: 6000 });
 * const decision = limiter.take('tok_…', 'standard');
 * if (!decision.allowed) throw new ApiError('rate_limited');
 */
export class RateLimiter implements RateLimits {
  readonly #limits: TierLimits;
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(limits: TierLimits, now: () => number = Date.now) {
    this.#limits = limits;
    this.#now = now;
  }

  /** Takes one request from the credential's bucket. */
  take(key: string, tier: Tier): RateDecision {
    const limit = this.#limits[tier];
    const perMs = refillPerMs(limit);
    const now = this.#now();
    const bucket = this.#buckets.get(key) ?? { tokens: limit, updatedAt: now };
    bucket.tokens = Math.min(limit, bucket.tokens + (now - bucket.updatedAt) * perMs);
    bucket.updatedAt = now;
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    // Re-insert so the Map's order is least-recently-used first, for eviction.
    this.#buckets.delete(key);
    this.#buckets.set(key, bucket);
    if (this.#buckets.size > MAX_BUCKETS) {
      const oldest = this.#buckets.keys().next().value;
      if (oldest !== undefined) this.#buckets.delete(oldest);
    }
    return rateDecision(tier, limit, bucket.tokens, allowed);
  }
}
