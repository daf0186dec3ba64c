/** Lifecycle hooks for logging and tracing, and the redaction applied to what they receive. */
export * from './redact.ts';
export type * from './types.ts';
