/**
 * Type guards for the client's errors. They match on `name` and the
 * package's registered mark, not on `instanceof`, so they also recognise
 * errors thrown by another copy of the package (two versions in one bundle,
 * or across realms) and nothing else: a native `DOMException` named
 * `AbortError` or `TimeoutError`, or the webhooks package's
 * `IdempotencyError`, is not one of them.
 */
import type {
  AbortError,
  AuthenticationError,
  ClinicBridgeError,
  ConflictError,
  ConnectionError,
  IdempotencyError,
  NotFoundError,
  PermissionError,
  RateLimitError,
  ResponseValidationError,
  ServerError,
  TimeoutError,
  ValidationError,
} from './errors.ts';
import { SDK_ERROR } from './errors.ts';

const names = new Set([
  'ClinicBridgeError',
  'AuthenticationError',
  'PermissionError',
  'NotFoundError',
  'ConflictError',
  'IdempotencyError',
  'ValidationError',
  'RateLimitError',
  'ServerError',
  'ConnectionError',
  'TimeoutError',
  'AbortError',
  'ResponseValidationError',
]);

function marked(error: unknown): error is Error {
  return (
    error instanceof Error && (error as unknown as Record<symbol, unknown>)[SDK_ERROR] === true
  );
}

function named(error: unknown, name: string): boolean {
  return marked(error) && error.name === name;
}

/**
 * True for any error the client throws.
 *
 * @example
 * if (isClinicBridgeError(error)) console.error(error.code, error.requestId);
 */
export function isClinicBridgeError(error: unknown): error is ClinicBridgeError {
  return marked(error) && names.has(error.name);
}

/** @example if (isAuthenticationError(error)) refreshCredentials(); */
export const isAuthenticationError = (e: unknown): e is AuthenticationError =>
  named(e, 'AuthenticationError');
/** @example if (isPermissionError(error)) askForScope(); */
export const isPermissionError = (e: unknown): e is PermissionError => named(e, 'PermissionError');
/** @example if (isNotFoundError(error)) return null; */
export const isNotFoundError = (e: unknown): e is NotFoundError => named(e, 'NotFoundError');
/** @example if (isConflictError(error)) await reload(); */
export const isConflictError = (e: unknown): e is ConflictError => named(e, 'ConflictError');
/** @example if (isIdempotencyError(error)) console.error(error.code); */
export const isIdempotencyError = (e: unknown): e is IdempotencyError =>
  named(e, 'IdempotencyError');
/** @example if (isValidationError(error)) showFieldErrors(error.issues); */
export const isValidationError = (e: unknown): e is ValidationError => named(e, 'ValidationError');
/** @example if (isRateLimitError(error)) await wait(error.retryAfter); */
export const isRateLimitError = (e: unknown): e is RateLimitError => named(e, 'RateLimitError');
/** @example if (isServerError(error)) alertOnCall(error.requestId); */
export const isServerError = (e: unknown): e is ServerError => named(e, 'ServerError');
/** @example if (isConnectionError(error)) console.error('offline?'); */
export const isConnectionError = (e: unknown): e is ConnectionError => named(e, 'ConnectionError');
/** @example if (isTimeoutError(error)) console.error('too slow'); */
export const isTimeoutError = (e: unknown): e is TimeoutError => named(e, 'TimeoutError');
/** @example if (isAbortError(error)) return; */
export const isAbortError = (e: unknown): e is AbortError => named(e, 'AbortError');
/** @example if (isResponseValidationError(error)) report(error.body); */
export const isResponseValidationError = (e: unknown): e is ResponseValidationError =>
  named(e, 'ResponseValidationError');
