/**
 * Hooks for logging and tracing. They receive redacted headers and, unless
 * the client was created with `logBodies: true`, no bodies: patient data and
 * credentials stay out of log pipelines by default.
 */

/**
 * What a hook learns about an outgoing attempt.
 *
 * @example
 * onRequest: (e: RequestEvent) => log.info({ op: e.operationId, attempt: e.attempt, url: e.url })
 */
export interface RequestEvent {
  operationId: string;
  method: string;
  url: string;
  /** 1 for the first attempt, 2 for the first retry, … */
  attempt: number;
  /** Headers with credentials replaced by `[redacted]`. */
  headers: Record<string, string>;
  /** Present only with `logBodies: true`, with secret fields redacted. */
  body?: unknown;
}

/**
 * What a hook learns about a response.
 *
 * @example
 * onResponse: (e: ResponseEvent) => histogram.observe({ op: e.operationId, status: e.status }, e.durationMs / 1000)
 */
export interface ResponseEvent extends RequestEvent {
  status: number;
  requestId: string | undefined;
  durationMs: number;
  responseHeaders: Record<string, string>;
  responseBody?: unknown;
}

/**
 * What a hook learns before a retry.
 *
 * @example
 * onRetry: (e: RetryEvent) => log.warn(`retrying ${e.operationId} in ${e.delayMs} ms: ${e.reason}`)
 */
export interface RetryEvent {
  operationId: string;
  /** The attempt about to be made (2 = first retry). */
  attempt: number;
  delayMs: number;
  /** Request id of the failed attempt, when a response arrived. */
  requestId: string | undefined;
  /** Why the attempt is retried: `status_503`, `connection_error`, `timeout`, … */
  reason: string;
}

/**
 * What a hook learns when a call fails for good (after any retries).
 *
 * @example
 * onError: (e: ErrorEvent) => span.recordException(e.error)
 */
export interface ErrorEvent {
  operationId: string;
  /** A `ClinicBridgeError` subclass; its message and fields carry no credentials. */
  error: Error;
}

/**
 * Observers of the request lifecycle. A hook that throws does not fail the call.
 *
 * @example
 * const hooks: ClientHooks = {
 *   onResponse: (e) => console.log(e.operationId, e.status, e.requestId, e.durationMs),
 * };
 */
export interface ClientHooks {
  onRequest?: (event: RequestEvent) => void;
  onResponse?: (event: ResponseEvent) => void;
  onRetry?: (event: RetryEvent) => void;
  /** Called once when a call fails, including failures with no response (connection, timeout). */
  onError?: (event: ErrorEvent) => void;
  /** Called in `warn` validation mode when a response departs from the contract. */
  onValidationWarning?: (error: Error) => void;
}
