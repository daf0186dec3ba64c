/**
 * What an attempt's result means for its delivery: succeeded, retry at a
 * time from the schedule, dead-lettered, or — on 410 Gone — dead with the
 * endpoint to be disabled. Pure, so the retry timing is tested with an
 * injected clock and random source instead of sleeping.
 */

import { type BackoffOptions, nextAttemptAt, type RetrySchedule } from './retry-schedule.ts';
import type { DeliveryStatus } from './schema.ts';
import type { SendResult } from './sender.ts';

/**
 * The delivery's next state after one attempt.
 *
 * @example
 * const { status, nextAttemptAtMs }: AttemptOutcome = decideOutcome(result, state);
 */
export interface AttemptOutcome {
  readonly status: Extract<DeliveryStatus, 'succeeded' | 'failed' | 'dead'>;
  /** When to try again (ms since epoch); null unless `failed`. */
  readonly nextAttemptAtMs: number | null;
  /** Retries used so far, counting this one when it failed. */
  readonly scheduleStep: number;
  /** Set when the endpoint must be disabled now. */
  readonly disableReason: string | null;
}

/**
 * Decides the next state of a delivery from one attempt's result.
 *
 * @example
 * const outcome = decideOutcome(result, { scheduleStep: 0, schedule, nowMs: Date.now() });
 * if (outcome.status === 'dead') console.log('dead-lettered');
 */
export function decideOutcome(
  result: Pick<SendResult, 'ok' | 'gone'>,
  state: { scheduleStep: number; schedule: RetrySchedule; nowMs: number } & BackoffOptions,
): AttemptOutcome {
  if (result.ok)
    return {
      status: 'succeeded',
      nextAttemptAtMs: null,
      scheduleStep: state.scheduleStep,
      disableReason: null,
    };
  const step = state.scheduleStep + 1;
  if (result.gone) {
    return {
      status: 'dead',
      nextAttemptAtMs: null,
      scheduleStep: step,
      disableReason: 'the receiver answered 410 Gone',
    };
  }
  const next = nextAttemptAt(state.schedule, step, state.nowMs, state);
  return next === null
    ? { status: 'dead', nextAttemptAtMs: null, scheduleStep: step, disableReason: null }
    : { status: 'failed', nextAttemptAtMs: next, scheduleStep: step, disableReason: null };
}
