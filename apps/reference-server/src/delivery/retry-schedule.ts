/**
 * The retry schedule of webhook deliveries: when each attempt after the first
 * is due. Written as durations (`5s,5m,30m,2h`), read from
 * `WEBHOOK_RETRY_SCHEDULE`, and spread with jitter so that a partner coming
 * back from an outage is not hit by every retry in the same second.
 */

/**
 * Delays before each retry, in milliseconds. The first attempt is always
 * immediate, so a schedule of n delays means n + 1 attempts in all.
 *
 * @example
 * const schedule: RetrySchedule = parseRetrySchedule('5s,5m,30m');
 */
export type RetrySchedule = readonly number[];

/**
 * Delays of the default schedule: immediately, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
 *
 * @example
 * formatRetrySchedule(DEFAULT_RETRY_SCHEDULE); // '5s,5m,30m,2h,5h,10h,10h'
 */
export const DEFAULT_RETRY_SCHEDULE: RetrySchedule = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
];

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(\d{1,9})(ms|s|m|h|d)?$/;
/** No retry is ever scheduled more than 7 days after the previous attempt. */
const MAX_DELAY_MS = 7 * UNIT_MS.d;
/** Bounded so a typo cannot schedule a delivery thousands of times. */
const MAX_STEPS = 50;

/**
 * A schedule string that does not parse; the message names the bad part.
 *
 * @example
 * try { parseRetrySchedule('5x'); } catch (e) { if (e instanceof RetryScheduleError) console.log(e.message); }
 */
export class RetryScheduleError extends Error {
  override readonly name = 'RetryScheduleError';
}

/**
 * Parses `5s,5m,30m,2h` (units ms, s, m, h, d; a bare number is seconds).
 *
 * @example
 * parseRetrySchedule('5s,5m'); // [5000, 300000]
 */
export function parseRetrySchedule(text: string): RetrySchedule {
  const parts = text.split(',').map((part) => part.trim());
  if (parts.length === 0 || (parts.length === 1 && parts[0] === '')) {
    throw new RetryScheduleError(
      'the retry schedule is empty; write durations such as 5s,5m,30m,2h',
    );
  }
  if (parts.length > MAX_STEPS) {
    throw new RetryScheduleError(
      `the retry schedule has ${parts.length} steps; at most ${MAX_STEPS} are allowed`,
    );
  }
  return parts.map((part, index) => {
    const match = DURATION.exec(part);
    if (!match) {
      throw new RetryScheduleError(
        `step ${index + 1} of the retry schedule ("${part.slice(0, 20)}") is not a duration; use a number with ms, s, m, h or d`,
      );
    }
    const unit = (match[2] ?? 's') as keyof typeof UNIT_MS;
    const ms = Number(match[1]) * UNIT_MS[unit];
    if (ms > MAX_DELAY_MS) {
      throw new RetryScheduleError(`step ${index + 1} of the retry schedule is longer than 7 days`);
    }
    return ms;
  });
}

/**
 * Formats a schedule back to its text form (for logs and docs).
 *
 * @example
 * formatRetrySchedule([5000, 300000]); // '5s,5m'
 */
export function formatRetrySchedule(schedule: RetrySchedule): string {
  return schedule
    .map((ms) => {
      for (const unit of ['d', 'h', 'm', 's'] as const) {
        if (ms >= UNIT_MS[unit] && ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
      }
      return `${ms}ms`;
    })
    .join(',');
}

/**
 * Options of {@link nextAttemptAt}.
 *
 * @example
 * nextAttemptAt(schedule, 1, Date.now(), { jitter: 0.1, random: () => 0.5 });
 */
export interface BackoffOptions {
  /** Fraction of the delay the jitter may add or remove (0..1); default 0.2. */
  readonly jitter?: number;
  /** Uniform random number in [0, 1); injectable for tests. */
  readonly random?: () => number;
}

/**
 * When the next attempt is due after `failedAttempts` failures, or null when
 * the schedule is exhausted (the delivery goes to the dead-letter queue).
 * The delay is the schedule's step ± `jitter` of itself.
 *
 * @example
 * nextAttemptAt(DEFAULT_RETRY_SCHEDULE, 1, Date.now()); // ≈ now + 5 s (± 20 %)
 */
export function nextAttemptAt(
  schedule: RetrySchedule,
  failedAttempts: number,
  nowMs: number,
  options: BackoffOptions = {},
): number | null {
  const base = schedule[failedAttempts - 1];
  if (base === undefined || failedAttempts < 1) return null;
  const jitter = Math.min(Math.max(options.jitter ?? 0.2, 0), 1);
  const random = options.random ?? Math.random;
  const spread = base * jitter * (2 * random() - 1);
  return nowMs + Math.max(0, Math.round(base + spread));
}
