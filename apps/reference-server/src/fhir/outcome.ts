/**
 * FHIR errors: every failure under `/fhir/R4` answers an OperationOutcome
 * (`application/fhir+json`) with the HTTP status of the API's error table
 * and an issue code from the FHIR IssueType value set; unknown throws stay
 * a bare `exception` whose detail never leaves the server.
 */
import type { ErrorCode } from '@clinicbridge/sdk/contract';
import type { OperationOutcome } from '@medplum/fhirtypes';
import type { Context } from 'hono';
import type { AppEnv } from '../http/context.ts';
import { type ErrorLogger, toApiError } from '../kernel/problem.ts';

/**
 * The FHIR content type.
 *
 * @example
 * c.header('Content-Type', FHIR_JSON);
 */
export const FHIR_JSON = 'application/fhir+json';

type IssueCode = NonNullable<OperationOutcome['issue']>[number]['code'];

const issueCodes: Partial<Record<ErrorCode, IssueCode>> = {
  validation_failed: 'invalid',
  invalid_request: 'invalid',
  invalid_cursor: 'invalid',
  invalid_json: 'structure',
  unauthenticated: 'login',
  invalid_token: 'login',
  forbidden: 'forbidden',
  insufficient_scope: 'forbidden',
  consent_required: 'forbidden',
  not_found: 'not-found',
  method_not_allowed: 'not-supported',
  not_implemented: 'not-supported',
  rate_limited: 'throttled',
  service_unavailable: 'transient',
  conflict: 'conflict',
};

/**
 * The OperationOutcome of an error, and its status and headers.
 *
 * @example
 * const { status, body } = toOperationOutcome(new ApiError('not_found', 'No Patient pat_x here.'));
 */
export function toOperationOutcome(error: unknown): {
  status: number;
  body: OperationOutcome;
  headers: Record<string, string>;
} {
  const apiError = toApiError(error);
  const code = issueCodes[apiError.code] ?? (apiError.status >= 500 ? 'exception' : 'processing');
  return {
    status: apiError.status,
    headers: apiError.extras.headers ?? {},
    body: {
      resourceType: 'OperationOutcome',
      issue: [
        {
          severity: 'error',
          code,
          details: {
            coding: [{ system: 'https://docs.clinicbridge.dev/errors', code: apiError.code }],
          },
          ...(apiError.detail ? { diagnostics: apiError.detail } : {}),
        },
      ],
    },
  };
}

/**
 * Answers an error as an OperationOutcome.
 *
 * @example
 * app.get('/fhir/R4/*', (c) => outcomeResponse(c, new ApiError('not_found')));
 */
export function outcomeResponse(c: Context<AppEnv>, error: unknown, log?: ErrorLogger): Response {
  const { status, body, headers } = toOperationOutcome(error);
  if (status >= 500 && log) log(error, c.get('requestId') ?? 'unknown');
  for (const [name, value] of Object.entries(headers)) c.header(name, value);
  return c.body(JSON.stringify(body), status as 400, { 'Content-Type': FHIR_JSON });
}
