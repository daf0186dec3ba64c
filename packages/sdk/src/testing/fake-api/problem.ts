/**
 * Failures inside the fake API. Handlers throw {@link ApiProblem}; the router
 * turns it into the same RFC 9457 problem+json body the real server sends,
 * with the status taken from the contract's code table.
 */
import type * as z from 'zod/mini';
import {
  type ErrorCode,
  errorCodes,
  errorTitles,
  type fieldError,
  PROBLEM_TYPE_BASE,
  type Problem,
} from '../../contract/index.ts';

/**
 * One invalid field of a request, as carried in `errors[]`.
 *
 * @example
 * const error: FieldError = { path: 'body.startsAt', message: 'Invalid ISO datetime', code: 'invalid_format' };
 */
export type FieldError = z.infer<typeof fieldError>;

/**
 * Extra members of a problem body.
 *
 * @example
 * const extras: ProblemExtras = { retryAfter: 2 };
 */
export interface ProblemExtras {
  errors?: FieldError[];
  retryAfter?: number;
  /** A 5xx status other than the code's own (injected 502 and 504 use `internal_error`). */
  status?: number;
}

/**
 * A failure with a stable contract error code, thrown by fake API handlers.
 *
 * @example
 * throw new ApiProblem('not_found', 'appointment apt_… does not exist');
 */
export class ApiProblem extends Error {
  override readonly name = 'ApiProblem';
  readonly code: ErrorCode;
  readonly extras: ProblemExtras;

  constructor(code: ErrorCode, detail: string, extras: ProblemExtras = {}) {
    super(detail);
    this.code = code;
    this.extras = extras;
  }

  /** HTTP status of this problem, from the contract's code table. */
  get status(): number {
    return this.extras.status ?? errorCodes[this.code];
  }
}

/**
 * The problem+json body of a failure.
 *
 * @example
 * problemBody(new ApiProblem('not_found', 'no such patient'), 'req_1', '/api/v1/patients/pat_x');
 */
export function problemBody(problem: ApiProblem, requestId: string, instance: string): Problem {
  const body: Problem = {
    type: `${PROBLEM_TYPE_BASE}${problem.code}`,
    title: errorTitles[problem.code],
    status: problem.status,
    detail: problem.message,
    code: problem.code,
    requestId,
    instance,
  };
  if (problem.extras.errors) body.errors = problem.extras.errors;
  if (problem.extras.retryAfter !== undefined) body.retryAfter = problem.extras.retryAfter;
  return body;
}

/**
 * A problem+json `Response`, with `Retry-After` (and, on a 429, the `RateLimit`
 * fields) when the problem carries a wait.
 *
 * @example
 * problemResponse(new ApiProblem('rate_limited', 'slow down', { retryAfter: 2 }), 'req_1', '/api/v1/patients');
 */
export function problemResponse(
  problem: ApiProblem,
  requestId: string,
  instance: string,
): Response {
  const headers = new Headers({
    'content-type': 'application/problem+json',
    'x-request-id': requestId,
  });
  if (problem.extras.retryAfter !== undefined) {
    headers.set('retry-after', String(problem.extras.retryAfter));
    // The server's RateLimit fields too, so clients that read them are tested against the same shape.
    if (problem.status === 429) {
      headers.set('ratelimit-policy', '"standard";q=600;w=60');
      headers.set('ratelimit', `"standard";r=0;t=${problem.extras.retryAfter}`);
    }
  }
  if (problem.status === 401) headers.set('www-authenticate', 'Bearer realm="clinicbridge"');
  return new Response(JSON.stringify(problemBody(problem, requestId, instance)), {
    status: problem.status,
    headers,
  });
}
