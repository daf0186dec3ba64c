import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  DEFAULT_RETRY_SCHEDULE,
  formatRetrySchedule,
  nextAttemptAt,
  parseRetrySchedule,
  RetryScheduleError,
} from './retry-schedule.ts';

describe('parseRetrySchedule', () => {
  test('reads units and bare seconds', () => {
    expect(parseRetrySchedule('5s,5m,30m,2h')).toEqual([5_000, 300_000, 1_800_000, 7_200_000]);
    expect(parseRetrySchedule(' 0 , 250ms, 1d ')).toEqual([0, 250, 86_400_000]);
  });

  test('the default schedule is 5s,5m,30m,2h,5h,10h,10h', () => {
    expect(formatRetrySchedule(DEFAULT_RETRY_SCHEDULE)).toBe('5s,5m,30m,2h,5h,10h,10h');
  });

  test.each(['', '5x', '5s,,5m', '-5s', '1.5s', '8d', Array(51).fill('1s').join(',')])(
    'refuses %j with a typed error',
    (text) => {
      expect(() => parseRetrySchedule(text)).toThrow(RetryScheduleError);
    },
  );

  test('format then parse round-trips', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 7 * 86_400_000 }), { minLength: 1, maxLength: 50 }),
        (ms) => {
          expect(parseRetrySchedule(formatRetrySchedule(ms))).toEqual(ms);
        },
      ),
    );
  });
});

describe('nextAttemptAt', () => {
  const now = Date.UTC(2026, 10, 22, 9, 0, 0);

  test('follows the schedule without jitter', () => {
    const schedule = parseRetrySchedule('5s,5m,30m');
    const at = (n: number) => nextAttemptAt(schedule, n, now, { jitter: 0 });
    expect([at(1), at(2), at(3)]).toEqual([now + 5_000, now + 300_000, now + 1_800_000]);
  });

  test('is null once every step has been used', () => {
    expect(nextAttemptAt(parseRetrySchedule('5s'), 2, now)).toBeNull();
    expect(nextAttemptAt(parseRetrySchedule('5s'), 0, now)).toBeNull();
  });

  test('jitter stays within ± the given fraction', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: DEFAULT_RETRY_SCHEDULE.length }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (failed, r) => {
          const base = DEFAULT_RETRY_SCHEDULE[failed - 1] as number;
          const at = nextAttemptAt(DEFAULT_RETRY_SCHEDULE, failed, now, {
            random: () => r,
          }) as number;
          expect(at - now).toBeGreaterThanOrEqual(Math.floor(base * 0.8));
          expect(at - now).toBeLessThanOrEqual(Math.ceil(base * 1.2));
        },
      ),
    );
  });

  test('extreme random values give the edges of the jitter window', () => {
    expect(nextAttemptAt([10_000], 1, now, { random: () => 0 })).toBe(now + 8_000);
    expect(nextAttemptAt([10_000], 1, now, { random: () => 0.5 })).toBe(now + 10_000);
  });
});
