/**
 * When to retry and how long to wait. Pure functions: the engine feeds them
 * the attempt number, the response headers, the clock and the random source,
 * so retry schedules are tested without sleeping.
 */
import { readRateLimit } from './rate-limit-headers.ts';

/**
 * Retry settings, per client and overridable per request.
 *
 * @example
 * await client.patients.list({}, { retry: { maxRetries: 5, deadline: 120_000 } }).page();
 */
export interface RetryOptions {
  /** Retries after the first attempt (0 disables retrying). Default 2. */
  maxRetries: number;
  /** First backoff ceiling in ms; doubles each retry (full jitter below it). Default 500. */
  baseDelay: number;
  /**
   * Longest single wait in ms. A server hint (`Retry-After`, `RateLimit-Reset`)
   * above it ends the retries at once with the error, rather than waiting.
   * Default 20 000.
   */
  maxRetryDelay: number;
  /** Budget in ms for the whole call: every attempt and every wait. Default 60 000. */
  deadline: number;
}

/**
 * Default retry settings.
 *
 * @example
 * new ClinicBridge({ baseUrl, apiKey, retry: { ...defaultRetryOptions, maxRetries: 5 } });
 */
export const defaultRetryOptions: RetryOptions = {
  maxRetries: 2,
  baseDelay: 500,
  maxRetryDelay: 20_000,
  deadline: 60_000,
};

/**
 * True when a response status (and problem code) is worth retrying: 408, 429,
 * 5xx except 501, and 409 only for `idempotency_in_flight` (the first request
 * with the key is still running; other conflicts will not resolve by waiting).
 *
 * @example
 * isRetryableStatus(503, 'service_unavailable'); // true
 * isRetryableStatus(409, 'invalid_state_transition'); // false
 */
export function isRetryableStatus(status: number, code: string | undefined): boolean {
  if (status === 408 || status === 429) return true;
  if (status === 409) return code === 'idempotency_in_flight';
  return status >= 500 && status !== 501;
}

/**
 * Exponential backoff with full jitter: a uniform wait in
 * `[0, min(maxRetryDelay, baseDelay * 2^retry))`, so many clients that failed
 * together do not come back together.
 *
 * @example
 * backoffDelay(0, defaultRetryOptions, Math.random); // 0..500 ms
 */
export function backoffDelay(retry: number, options: RetryOptions, random: () => number): number {
  const ceiling = Math.min(options.maxRetryDelay, options.baseDelay * 2 ** retry);
  return Math.floor(random() * ceiling);
}

/**
 * The wait the server asked for, in ms: `Retry-After` (seconds or HTTP date),
 * else the RateLimit reset (`t=` of `RateLimit`, or `RateLimit-Reset`) when
 * the window is exhausted or the status is 429.
 *
 * @example
 * serverDelayHint(new Headers({ 'retry-after': '2' }), 429, Date.now()); // 2000
 * serverDelayHint(new Headers({ ratelimit: '"standard";r=0;t=5' }), 503, Date.now()); // 5000
 */
export function serverDelayHint(headers: Headers, status: number, now: number): number | undefined {
  const retryAfter = headers.get('retry-after')?.trim();
  if (retryAfter) {
    if (/^\d+(\.\d+)?$/.test(retryAfter)) return Math.ceil(Number(retryAfter) * 1000);
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) return Math.max(0, at - now);
  }
  const rate = readRateLimit(headers);
  const exhausted = status === 429 || rate?.remaining === 0;
  if (rate?.reset !== undefined && exhausted) return Math.ceil(rate.reset * 1000);
  return undefined;
}
