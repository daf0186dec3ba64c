/**
 * Signed-timestamp parsing and the replay window, checked in both directions:
 * a timestamp far in the future is as suspicious as one far in the past.
 */
import { WebhookVerificationError } from '../errors.ts';
import type { VerifyOptions } from '../types.ts';

/**
 * Default replay window, either way: 5 minutes, as Standard Webhooks and
 * Stripe recommend.
 *
 * @example
 * ```ts
 * const tolerance = options?.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
 * ```
 */
export const DEFAULT_TOLERANCE_SECONDS = 300;

const UNIX_SECONDS = /^[0-9]{1,12}$/;

/**
 * Parses an integer count of seconds since the epoch as sent in a header.
 *
 * @example
 * ```ts
 * const timestamp = parseUnixSeconds(headerValue, 'webhook-timestamp');
 * ```
 */
export function parseUnixSeconds(value: string, header: string): number {
  if (!UNIX_SECONDS.test(value)) {
    throw new WebhookVerificationError(
      'invalid_timestamp',
      `The ${header} value is not a Unix time in whole seconds. Check that the sender uses this signature scheme.`,
    );
  }
  return Number(value);
}

/**
 * Raises `timestamp_too_old` / `timestamp_in_future` outside the tolerance.
 *
 * @example
 * ```ts
 * assertWithinTolerance(timestamp, { toleranceSeconds: 300, now: Date.now });
 * ```
 */
export function assertWithinTolerance(timestamp: number, options: VerifyOptions | undefined): void {
  const tolerance = options?.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (!(tolerance >= 0) || !Number.isFinite(tolerance)) {
    throw new RangeError('toleranceSeconds must be a finite number >= 0.');
  }
  const nowSeconds = Math.floor((options?.now ?? Date.now)() / 1000);
  if (timestamp < nowSeconds - tolerance) {
    throw new WebhookVerificationError(
      'timestamp_too_old',
      `The signed timestamp is more than ${tolerance} s in the past: a replayed or long-delayed delivery. If the receiver's clock is wrong, sync it (NTP).`,
    );
  }
  if (timestamp > nowSeconds + tolerance) {
    throw new WebhookVerificationError(
      'timestamp_in_future',
      `The signed timestamp is more than ${tolerance} s in the future. Check the sender's and the receiver's clocks (NTP).`,
    );
  }
}

/**
 * Whole seconds since the epoch for signing; defaults to now.
 *
 * @example
 * ```ts
 * toUnixSeconds(new Date('2026-01-01T00:00:00Z')); // 1767225600
 * ```
 */
export function toUnixSeconds(timestamp: Date | number | undefined): number {
  if (timestamp === undefined) return Math.floor(Date.now() / 1000);
  const seconds =
    timestamp instanceof Date ? Math.floor(timestamp.getTime() / 1000) : Number(timestamp);
  if (!Number.isSafeInteger(seconds) || seconds < 0) {
    throw new WebhookVerificationError(
      'invalid_timestamp',
      'The timestamp to sign must be a valid Date or a whole, non-negative number of Unix seconds.',
    );
  }
  return seconds;
}
