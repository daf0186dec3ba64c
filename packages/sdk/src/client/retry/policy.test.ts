/** Retry policy: full-jitter bounds, which statuses are retried, and the server wait hints. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay, defaultRetryOptions, isRetryableStatus, serverDelayHint } from './policy.ts';

describe('retry policy', () => {
  it('full jitter stays within [0, min(maxRetryDelay, base × 2^n))', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 120_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (retry, baseDelay, maxRetryDelay, r) => {
          const options = { ...defaultRetryOptions, baseDelay, maxRetryDelay };
          const delay = backoffDelay(retry, options, () => r);
          const ceiling = Math.min(maxRetryDelay, baseDelay * 2 ** retry);
          return delay >= 0 && delay < ceiling && Number.isInteger(delay);
        },
      ),
    );
  });

  it('retries only 408, 429, 409 in flight and 5xx other than 501', () => {
    const retryable = [408, 429, 500, 502, 503, 504].map((s) => isRetryableStatus(s, undefined));
    expect(retryable.every(Boolean)).toBe(true);
    expect(isRetryableStatus(409, 'idempotency_in_flight')).toBe(true);
    for (const [status, code] of [
      [400, 'validation_failed'],
      [401, 'unauthenticated'],
      [403, 'forbidden'],
      [404, 'not_found'],
      [409, 'invalid_state_transition'],
      [422, 'idempotency_key_reused'],
      [501, 'not_implemented'],
    ] as const) {
      expect(isRetryableStatus(status, code), `${status} ${code}`).toBe(false);
    }
  });

  it('reads Retry-After as seconds or an HTTP date, and RateLimit-Reset when exhausted', () => {
    const now = Date.parse('2026-11-22T08:00:00Z');
    expect(serverDelayHint(new Headers({ 'retry-after': '7' }), 429, now)).toBe(7000);
    expect(serverDelayHint(new Headers({ 'retry-after': '0.5' }), 503, now)).toBe(500);
    expect(
      serverDelayHint(new Headers({ 'retry-after': 'Sun, 22 Nov 2026 08:00:30 GMT' }), 503, now),
    ).toBe(30_000);
    expect(serverDelayHint(new Headers({ 'ratelimit-reset': '4' }), 429, now)).toBe(4000);
    expect(
      serverDelayHint(
        new Headers({ 'ratelimit-reset': '4', 'ratelimit-remaining': '0' }),
        503,
        now,
      ),
    ).toBe(4000);
    // A window with requests left says nothing about when to retry a 503.
    expect(
      serverDelayHint(
        new Headers({ 'ratelimit-reset': '4', 'ratelimit-remaining': '10' }),
        503,
        now,
      ),
    ).toBeUndefined();
    expect(serverDelayHint(new Headers({ 'retry-after': 'soon' }), 429, now)).toBeUndefined();
  });
});
