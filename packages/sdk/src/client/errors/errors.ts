/**
 * The client's typed errors. One base class, `ClinicBridgeError`, and one
 * subclass per kind of failure, so callers branch on the kind (`isRateLimitError`)
 * rather than on status codes. Every error carries the HTTP status, the stable
 * `code`, the request id and the problem+json body when the server sent one.
 * Messages never include credentials: they are built only from the problem
 * body and the operation id.
 */
import type { Problem } from '../../contract/errors.ts';

/**
 * One invalid field: where, what is wrong, and a stable code.
 *
 * @example
 * const issue: FieldIssue = { path: 'body.startsAt', message: 'Invalid ISO datetime', code: 'invalid_format' };
 */
export interface FieldIssue {
  path: string;
  message: string;
  code: string;
}

/**
 * What every client error may carry besides its message.
 *
 * @example
 * new ClinicBridgeError('appointments.get failed', { status: 500, code: 'internal_error', requestId: 'req_1' });
 */
export interface ClinicBridgeErrorInit {
  /** HTTP status, absent when no response arrived. */
  status?: number | undefined;
  /** Stable code: one of the contract's `errorCodes`, or a client-side code such as `connection_error`. */
  code: string;
  /** The `X-Request-Id` of the failed response, to quote to support. */
  requestId?: string | undefined;
  /** The problem+json body, when the server sent one. */
  problem?: Problem | undefined;
  /** The operation that failed, e.g. `appointments.create`. */
  operationId?: string | undefined;
  cause?: unknown;
}

/**
 * Marks errors of this package: a registered symbol, so another copy of the
 * package (another version, another realm) marks its errors the same way,
 * while a native `DOMException` named `AbortError` or another package's
 * `IdempotencyError` carries no mark.
 *
 * @example
 * (error as Record<symbol, unknown>)[SDK_ERROR] === true;
 */
export const SDK_ERROR: unique symbol = Symbol.for('@clinicbridge/sdk/error') as never;

/**
 * Base of every error the client throws.
 *
 * @example
 * try {
 *   await client.appointments.get({ appointmentId });
 * } catch (error) {
 *   if (isClinicBridgeError(error)) console.error(error.code, error.requestId);
 * }
 */
export class ClinicBridgeError extends Error {
  override name = 'ClinicBridgeError';
  /** The package mark the type guards check (see {@link SDK_ERROR}). */
  readonly [SDK_ERROR] = true;
  readonly status: number | undefined;
  readonly code: string;
  readonly requestId: string | undefined;
  readonly problem: Problem | undefined;
  readonly operationId: string | undefined;

  constructor(message: string, init: ClinicBridgeErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.code = init.code;
    this.requestId = init.requestId;
    this.problem = init.problem;
    this.operationId = init.operationId;
  }
}

/**
 * 401: the API key or token is missing, wrong, expired or revoked.
 *
 * @example
 * if (isAuthenticationError(error)) rotateCredentials();
 */
export class AuthenticationError extends ClinicBridgeError {
  override name = 'AuthenticationError';
}

/**
 * 403: the credentials are valid but lack the operation's scope.
 *
 * @example
 * if (isPermissionError(error)) console.error('grant the scope:', error.problem?.detail);
 */
export class PermissionError extends ClinicBridgeError {
  override name = 'PermissionError';
}

/**
 * 404 or 410: no such resource for this tenant.
 *
 * @example
 * if (isNotFoundError(error)) return null;
 */
export class NotFoundError extends ClinicBridgeError {
  override name = 'NotFoundError';
}

/**
 * 409: the resource's state forbids the change (e.g. `invalid_state_transition`).
 *
 * @example
 * if (isConflictError(error)) await reload();
 */
export class ConflictError extends ClinicBridgeError {
  override name = 'ConflictError';
}

/**
 * The `Idempotency-Key` was reused with another body (422 `idempotency_key_reused`),
 * was used by another credential of the tenant (422
 * `idempotency_key_credential_mismatch`), or the first request with it is
 * still running (409 `idempotency_in_flight`).
 *
 * @example
 * if (isIdempotencyError(error) && error.code === 'idempotency_key_reused') useNewKey();
 */
export class IdempotencyError extends ClinicBridgeError {
  override name = 'IdempotencyError';
}

/**
 * 400 or 422: the request was rejected; `issues` lists each invalid field.
 *
 * @example
 * if (isValidationError(error)) for (const i of error.issues) console.error(i.path, i.message);
 */
export class ValidationError extends ClinicBridgeError {
  override name = 'ValidationError';
  /** One entry per invalid field (empty for rule violations such as `payment_exceeds_balance`). */
  readonly issues: FieldIssue[];

  constructor(message: string, init: ClinicBridgeErrorInit) {
    super(message, init);
    this.issues = init.problem?.errors ?? [];
  }
}

/**
 * 429: too many requests. `retryAfter` (seconds) says when to try again.
 *
 * @example
 * if (isRateLimitError(error)) setTimeout(retry, (error.retryAfter ?? 1) * 1000);
 */
export class RateLimitError extends ClinicBridgeError {
  override name = 'RateLimitError';
  /** Seconds to wait before the next request, from `Retry-After` or `RateLimit-Reset`. */
  readonly retryAfter: number | undefined;

  constructor(message: string, init: ClinicBridgeErrorInit & { retryAfter?: number | undefined }) {
    super(message, init);
    this.retryAfter = init.retryAfter;
  }
}

/**
 * 5xx: the server failed; retried automatically before this is thrown.
 *
 * @example
 * if (isServerError(error)) console.error('ClinicBridge failed, request', error.requestId);
 */
export class ServerError extends ClinicBridgeError {
  override name = 'ServerError';
}

/**
 * No response arrived (DNS, refused connection, reset). Retried before this is thrown.
 *
 * @example
 * if (isConnectionError(error)) console.error('cannot reach ClinicBridge:', error.cause);
 */
export class ConnectionError extends ClinicBridgeError {
  override name = 'ConnectionError';
}

/**
 * An attempt or the whole call (retries and their waits included) ran out of time.
 *
 * @example
 * if (isTimeoutError(error)) console.error('gave up after the deadline');
 */
export class TimeoutError extends ClinicBridgeError {
  override name = 'TimeoutError';
}

/**
 * The call was cancelled through its `AbortSignal`.
 *
 * @example
 * if (isAbortError(error)) return;
 */
export class AbortError extends ClinicBridgeError {
  override name = 'AbortError';
}

/**
 * A successful response did not match the contract (validation mode `strict`).
 * `body` holds the raw parsed body so nothing the server sent is lost.
 *
 * @example
 * if (isResponseValidationError(error)) console.error(error.requestId, error.issues);
 */
export class ResponseValidationError extends ClinicBridgeError {
  override name = 'ResponseValidationError';
  /** The body as received (parsed JSON). */
  readonly body: unknown;
  /** Where the body departs from the contract. */
  readonly issues: FieldIssue[];

  constructor(
    message: string,
    init: ClinicBridgeErrorInit & { body: unknown; issues: FieldIssue[] },
  ) {
    super(message, init);
    this.body = init.body;
    this.issues = init.issues;
  }
}
