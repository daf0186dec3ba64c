/** Retry policy: which failures are retried and how long to wait between attempts. */
export * from './policy.ts';
