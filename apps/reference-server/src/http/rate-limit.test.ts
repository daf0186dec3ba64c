import { describe, expect, test } from 'vitest';
import { RateLimiter } from './rate-limit.ts';

describe('RateLimiter', () => {
  test('allows the tier limit, then refuses with Retry-After until tokens refill', () => {
    let now = 0;
    const limiter = new RateLimiter({ standard: 60, high: 600 }, () => now);
    for (let i = 0; i < 60; i++) expect(limiter.take('k', 'standard').allowed).toBe(true);
    const refused = limiter.take('k', 'standard');
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfter).toBe(1);
    expect(refused.headers['Retry-After']).toBe('1');
    expect(refused.headers.RateLimit).toBe('"standard";r=0;t=1');
    now += 1000;
    expect(limiter.take('k', 'standard').allowed).toBe(true);
  });

  test('buckets are per credential and sized by tier', () => {
    const limiter = new RateLimiter({ standard: 1, high: 5 }, () => 0);
    expect(limiter.take('a', 'standard').allowed).toBe(true);
    expect(limiter.take('a', 'standard').allowed).toBe(false);
    expect(limiter.take('b', 'standard').allowed).toBe(true);
    const high = limiter.take('c', 'high');
    expect(high.remaining).toBe(4);
    expect(high.headers['RateLimit-Policy']).toBe('"high";q=5;w=60');
  });
});
