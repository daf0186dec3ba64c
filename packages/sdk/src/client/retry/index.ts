/** Retry policy: which failures are retried, how long to wait between attempts, and the rate-limit headers that say so. */
export * from './policy.ts';
export * from './rate-limit-headers.ts';
