/**
 * The server's one HTTP-aware error and the one handler that turns every
 * failure into RFC 9457 problem+json. Status comes from the contract's
 * `errorCodes` table only. Unknown throws become a bare 500
 * `internal_error`: their message, stack and any SQL stay in the log.
 */
import {
  type ErrorCode,
  errorCodes,
  errorTitles,
  PROBLEM_TYPE_BASE,
  type Problem,
} from '@clinicbridge/sdk/contract';
import type { Context } from 'hono';
import { classifyDatabaseFailure } from './database-errors.ts';

/**
 * One invalid field, as reported in `errors`.
 *
 * @example
 * const error: FieldError = { path: 'body.startsAt', message: 'Invalid ISO datetime', code: 'invalid_format' };
 */
export interface FieldError {
  path: string;
  message: string;
  code: string;
}

/**
 * Extra members of a problem body and response headers.
 *
 * @example
 * throw new ApiError('rate_limited', 'Slow down.', { retryAfter: 3, headers: { 'Retry-After': '3' } } satisfies ApiErrorExtras);
 */
export interface ApiErrorExtras {
  errors?: FieldError[];
  retryAfter?: number;
  headers?: Record<string, string>;
}

/**
 * The error every route, middleware and service throws for an expected failure.
 *
 * @example
 * throw new ApiError('not_found', 'No appointment apt_… in this tenant.');
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly code: ErrorCode;
  readonly status: number;
  readonly detail: string | undefined;
  readonly extras: ApiErrorExtras;

  constructor(code: ErrorCode, detail?: string, extras: ApiErrorExtras = {}) {
    super(detail ?? errorTitles[code]);
    this.code = code;
    this.status = errorCodes[code];
    this.detail = detail;
    this.extras = extras;
  }
}

/**
 * True for an {@link ApiError}, also across copies of this module.
 *
 * @example
 * if (isApiError(err)) console.log(err.code);
 */
export function isApiError(value: unknown): value is ApiError {
  return value instanceof Error && value.name === 'ApiError' && 'code' in value;
}

/**
 * The problem+json body for an error code.
 *
 * @example
 * problemBody(new ApiError('not_found'), 'req_1'); // { type: '…/errors/not_found', status: 404, … }
 */
export function problemBody(error: ApiError, requestId: string, instance?: string): Problem {
  return {
    type: `${PROBLEM_TYPE_BASE}${error.code}`,
    title: errorTitles[error.code],
    status: error.status,
    code: error.code,
    requestId,
    ...(error.detail !== undefined ? { detail: error.detail } : {}),
    ...(instance !== undefined ? { instance } : {}),
    ...(error.extras.errors ? { errors: error.extras.errors } : {}),
    ...(error.extras.retryAfter !== undefined ? { retryAfter: error.extras.retryAfter } : {}),
  };
}

/**
 * Logs an unexpected error; the handler never sends its details to the client.
 *
 * @example
 * const log: ErrorLogger = (err, requestId) => logger.error({ err, requestId }, 'unhandled');
 */
export type ErrorLogger = (error: unknown, requestId: string) => void;

/**
 * Normalises anything thrown into an {@link ApiError}: ApiErrors pass
 * through, actionable database failures map to 503 or 409, anything else
 * becomes `internal_error` with no detail.
 *
 * @example
 * const apiError = toApiError(new Error('boom')); // code 'internal_error'
 */
export function toApiError(error: unknown): ApiError {
  if (isApiError(error)) return error;
  const failure = classifyDatabaseFailure(error);
  if (failure) {
    return new ApiError(failure.code, failure.detail, {
      ...(failure.retryAfter !== undefined
        ? { retryAfter: failure.retryAfter, headers: { 'Retry-After': String(failure.retryAfter) } }
        : {}),
    });
  }
  return new ApiError('internal_error', 'Something went wrong on our side; retry later.');
}

/**
 * Writes an error as an `application/problem+json` response.
 *
 * @example
 * app.onError((err, c) => problemResponse(c, err, log));
 */
export function problemResponse(c: Context, error: unknown, log?: ErrorLogger): Response {
  const requestId = (c.get('requestId') as string | undefined) ?? 'unknown';
  const apiError = toApiError(error);
  if (apiError.status >= 500 && log) log(error, requestId);
  for (const [name, value] of Object.entries(apiError.extras.headers ?? {})) c.header(name, value);
  // c.body keeps headers set earlier in the pipeline (request id, rate limit).
  return c.body(
    JSON.stringify(problemBody(apiError, requestId, c.req.path)),
    apiError.status as 400,
    {
      'Content-Type': 'application/problem+json',
    },
  );
}
