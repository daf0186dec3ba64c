/**
 * Types shared by the request engine and everything built on it: resolved
 * client settings, per-request options and the result of a call.
 */
import type { AuthStrategy } from '../auth/types.ts';
import type { ClientHooks } from '../hooks/types.ts';
import type { RetryOptions } from '../retry/policy.ts';

/**
 * How responses are checked against the contract: `strict` throws a
 * `ResponseValidationError`, `warn` reports through `onValidationWarning`
 * (or `console.warn`) and returns the body as received, `off` skips the check.
 *
 * @example
 * new ClinicBridge({ baseUrl, apiKey, validation: 'warn' });
 */
export type ValidationMode = 'strict' | 'warn' | 'off';

/**
 * Time source and sleep, injectable so retry schedules are tested with fake timers.
 *
 * @example
 * const clock: Clock = { now: () => t, sleep: async (ms) => { t += ms; } };
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms`, rejects when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * Options of one call; each overrides the client's setting for that call only.
 *
 * @example
 * await client.appointments.create(body, { idempotencyKey: order.id, timeout: 5_000, retry: { maxRetries: 5 } });
 */
export interface RequestOptions {
  /**
   * `Idempotency-Key` of a write. Generated when absent and reused across the
   * call's retries. `null` sends none, and then the write is never retried.
   */
  idempotencyKey?: string | null | undefined;
  /** Timeout of each attempt in ms. */
  timeout?: number | undefined;
  /** Cancels the call, including any wait between retries. */
  signal?: AbortSignal | undefined;
  retry?: Partial<RetryOptions> | undefined;
  validation?: ValidationMode | undefined;
  /** Extra headers for this call. */
  headers?: Record<string, string> | undefined;
  /** W3C `traceparent` to propagate, e.g. from the active OpenTelemetry span. */
  traceparent?: string | undefined;
}

/**
 * Settings the engine runs with, defaults applied.
 *
 * @example
 * const config: EngineConfig = resolveConfig({ baseUrl, apiKey });
 */
export interface EngineConfig {
  baseUrl: string;
  auth: AuthStrategy;
  fetch: typeof globalThis.fetch;
  timeout: number;
  retry: RetryOptions;
  validation: ValidationMode;
  hooks: ClientHooks;
  logBodies: boolean;
  headers: Record<string, string>;
  clock: Clock;
  random: () => number;
  generateId: () => string;
  traceparent: (() => string | undefined) | undefined;
}

/**
 * Rate-limit state reported by the server on a response.
 *
 * @example
 * const { rateLimit } = await client.patients.get({ patientId }).withResponse(); if (rateLimit?.remaining === 0) slowDown();
 */
export interface RateLimitInfo {
  limit: number | undefined;
  remaining: number | undefined;
  /** Seconds until the window resets. */
  reset: number | undefined;
}

/**
 * A call's data with everything known about the response that produced it.
 *
 * @example
 * const { data, requestId, replayed } = await client.appointments.create(body).withResponse();
 */
export interface ApiResult<T> {
  data: T;
  /** The final response (its body already read; see `raw`). */
  response: Response;
  status: number;
  requestId: string | undefined;
  /** True when the server replayed a stored response for this idempotency key. */
  replayed: boolean;
  /** Attempts made, 1 when the first one succeeded. */
  attempts: number;
  idempotencyKey: string | undefined;
  rateLimit: RateLimitInfo | undefined;
  /** The body as received, before validation. */
  raw: unknown;
}

/**
 * Path parameters, query and body of one call.
 *
 * @example
 * const input: CallInput = { params: { appointmentId }, body: { reason: 'moved' } };
 */
export interface CallInput {
  params?: Record<string, string> | undefined;
  query?: Record<string, unknown> | undefined;
  body?: unknown;
}
