import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { decideOutcome } from './outcome.ts';
import { parseRetrySchedule } from './retry-schedule.ts';

const schedule = parseRetrySchedule('5s,5m,30m,2h');
const nowMs = Date.UTC(2026, 10, 22, 9, 0, 0);
const failure = { ok: false, gone: false };

describe('decideOutcome', () => {
  test('2xx succeeds', () => {
    expect(
      decideOutcome({ ok: true, gone: false }, { scheduleStep: 2, schedule, nowMs }),
    ).toMatchObject({
      status: 'succeeded',
      nextAttemptAtMs: null,
    });
  });

  test('failures walk the schedule, then dead-letter', () => {
    const random = () => 0.5; // no jitter at the midpoint
    let step = 0;
    const due: number[] = [];
    for (;;) {
      const outcome = decideOutcome(failure, { scheduleStep: step, schedule, nowMs, random });
      step = outcome.scheduleStep;
      if (outcome.status === 'dead') break;
      due.push((outcome.nextAttemptAtMs as number) - nowMs);
    }
    expect(due).toEqual(schedule);
    expect(step).toBe(schedule.length + 1);
  });

  test('410 dead-letters at once and disables the endpoint', () => {
    expect(decideOutcome({ ok: false, gone: true }, { scheduleStep: 0, schedule, nowMs })).toEqual({
      status: 'dead',
      nextAttemptAtMs: null,
      scheduleStep: 1,
      disableReason: 'the receiver answered 410 Gone',
    });
  });

  test('every attempt count ends in exactly one of retry or dead-letter', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 20 }),
        fc.double({ min: 0, max: 0.999, noNaN: true }),
        (step, r) => {
          const outcome = decideOutcome(failure, {
            scheduleStep: step,
            schedule,
            nowMs,
            random: () => r,
          });
          if (step < schedule.length) {
            expect(outcome.status).toBe('failed');
            expect(outcome.nextAttemptAtMs).toBeGreaterThanOrEqual(nowMs);
          } else {
            expect(outcome.status).toBe('dead');
          }
        },
      ),
    );
  });
});
