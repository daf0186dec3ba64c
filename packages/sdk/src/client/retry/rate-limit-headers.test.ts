/** Both generations of the RateLimit headers, and the waits they imply. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { serverDelayHint } from './policy.ts';
import { readRateLimit } from './rate-limit-headers.ts';

const now = Date.parse('2026-11-22T08:00:00Z');

describe('readRateLimit', () => {
  it('reads the structured RateLimit and RateLimit-Policy fields the server sends', () => {
    const headers = new Headers({
      'ratelimit-policy': '"standard";q=600;w=60',
      ratelimit: '"standard";r=17;t=42',
    });
    expect(readRateLimit(headers)).toEqual({ limit: 600, remaining: 17, reset: 42 });
  });

  it('takes the policy with the fewest requests left when several apply', () => {
    const headers = new Headers({
      'ratelimit-policy': '"burst";q=10;w=1, "daily";q=1000;w=86400',
      ratelimit: '"daily";r=400;t=3600, "burst";r=0;t=1',
    });
    expect(readRateLimit(headers)).toEqual({ limit: 10, remaining: 0, reset: 1 });
  });

  it('reads the older separate RateLimit-Limit/Remaining/Reset fields', () => {
    const headers = new Headers({
      'ratelimit-limit': '100',
      'ratelimit-remaining': '7',
      'ratelimit-reset': '30',
    });
    expect(readRateLimit(headers)).toEqual({ limit: 100, remaining: 7, reset: 30 });
  });

  it('is undefined without rate-limit headers, and ignores malformed values', () => {
    expect(readRateLimit(new Headers())).toBeUndefined();
    expect(readRateLimit(new Headers({ ratelimit: 'garbage' }))).toBeUndefined();
    expect(readRateLimit(new Headers({ 'ratelimit-remaining': '-3' }))).toBeUndefined();
  });

  it('round-trips any structured field it is given', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 100_000 }),
        fc.nat({ max: 100_000 }),
        fc.nat({ max: 86_400 }),
        (limit, remaining, reset) => {
          const headers = new Headers({
            'ratelimit-policy': `"p";q=${limit};w=60`,
            ratelimit: `"p";r=${remaining};t=${reset}`,
          });
          expect(readRateLimit(headers)).toEqual({ limit, remaining, reset });
        },
      ),
    );
  });
});

describe('serverDelayHint with the structured RateLimit field', () => {
  it('waits t seconds on a 429, or when no requests are left', () => {
    expect(serverDelayHint(new Headers({ ratelimit: '"standard";r=0;t=5' }), 429, now)).toBe(5000);
    expect(serverDelayHint(new Headers({ ratelimit: '"standard";r=0;t=5' }), 503, now)).toBe(5000);
  });

  it('says nothing about a 503 while requests are left', () => {
    expect(
      serverDelayHint(new Headers({ ratelimit: '"standard";r=12;t=5' }), 503, now),
    ).toBeUndefined();
  });

  it('prefers Retry-After when both are sent', () => {
    const headers = new Headers({ 'retry-after': '2', ratelimit: '"standard";r=0;t=9' });
    expect(serverDelayHint(headers, 429, now)).toBe(2000);
  });
});
