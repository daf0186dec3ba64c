/**
 * Turns an error response into the matching typed error. The problem+json
 * `code` decides first (it is stable); the status decides when the body is
 * not problem+json, e.g. a proxy's 502 page.
 */
import type { Problem } from '../../contract/errors.ts';
import {
  AuthenticationError,
  ClinicBridgeError,
  type ClinicBridgeErrorInit,
  ConflictError,
  IdempotencyError,
  NotFoundError,
  PermissionError,
  RateLimitError,
  ServerError,
  ValidationError,
} from './errors.ts';

/**
 * What the engine knows about a failed response.
 *
 * @example
 * const info: ErrorResponseInfo = { status: 404, body, requestId: 'req_1', operationId: 'appointments.get', retryAfter: undefined };
 */
export interface ErrorResponseInfo {
  status: number;
  body: unknown;
  requestId: string | undefined;
  operationId: string;
  /** Seconds from `Retry-After` / `RateLimit-Reset`, when sent. */
  retryAfter: number | undefined;
}

function asProblem(body: unknown): Problem | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as Record<string, unknown>;
  return typeof b.code === 'string' && typeof b.status === 'number' ? (body as Problem) : undefined;
}

function codeForStatus(status: number): string {
  if (status === 401) return 'unauthenticated';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'internal_error';
  return 'invalid_request';
}

/**
 * Builds the typed error for a non-2xx response.
 *
 * @example
 * throw errorFromResponse({ status: 404, body, requestId: 'req_1', operationId: 'appointments.get', retryAfter: undefined });
 */
export function errorFromResponse(info: ErrorResponseInfo): ClinicBridgeError {
  const problem = asProblem(info.body);
  const { status } = info;
  const code = problem?.code ?? codeForStatus(status);
  const requestId = problem?.requestId ?? info.requestId;
  const init: ClinicBridgeErrorInit = {
    status,
    code,
    requestId,
    problem,
    operationId: info.operationId,
  };
  const what = problem?.detail ?? problem?.title ?? `HTTP ${status}`;
  const message = `${info.operationId} failed: ${what} (${code}${requestId ? `, request ${requestId}` : ''})`;
  if (
    code === 'idempotency_key_reused' ||
    code === 'idempotency_key_credential_mismatch' ||
    code === 'idempotency_in_flight'
  ) {
    return new IdempotencyError(message, init);
  }
  if (status === 401) return new AuthenticationError(message, init);
  if (status === 403) return new PermissionError(message, init);
  if (status === 404 || status === 410) return new NotFoundError(message, init);
  if (status === 409) return new ConflictError(message, init);
  if (status === 429) {
    return new RateLimitError(message, {
      ...init,
      retryAfter: info.retryAfter ?? problem?.retryAfter,
    });
  }
  if (status === 400 || status === 422) return new ValidationError(message, init);
  if (status >= 500) return new ServerError(message, init);
  return new ClinicBridgeError(message, init);
}
