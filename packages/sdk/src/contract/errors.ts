/**
 * Errors on the wire: RFC 9457 `application/problem+json` with a stable
 * `code`. The code table is the single source of the HTTP status for each
 * code; the server maps every failure through it and the client turns codes
 * back into typed errors.
 */
import * as z from 'zod/mini';

/**
 * Stable error codes and their HTTP status. Codes never change meaning; new ones may be added.
 *
 * @example
 * errorCodes.payment_exceeds_balance; // 422
 */
export const errorCodes = {
  invalid_json: 400,
  validation_failed: 400,
  invalid_cursor: 400,
  invalid_request: 400,
  unauthenticated: 401,
  invalid_token: 401,
  invalid_client: 401,
  environment_mismatch: 401,
  webhook_verification_failed: 401,
  forbidden: 403,
  insufficient_scope: 403,
  ip_not_allowed: 403,
  client_certificate_required: 403,
  client_certificate_mismatch: 403,
  integration_paused: 403,
  integration_deprecated: 403,
  link_expired: 403,
  link_invalid: 403,
  consent_required: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  idempotency_in_flight: 409,
  invalid_state_transition: 409,
  funding_parked: 409,
  slot_full: 409,
  prepayment_required: 409,
  gone: 410,
  body_too_large: 413,
  import_too_large: 413,
  document_too_large: 413,
  import_too_many_rows: 413,
  unsupported_media_type: 415,
  import_wrong_type: 415,
  document_wrong_type: 415,
  idempotency_key_reused: 422,
  idempotency_key_credential_mismatch: 422,
  payment_exceeds_balance: 422,
  currency_mismatch: 422,
  refund_exceeds_payment: 422,
  unprocessable: 422,
  import_too_many_columns: 422,
  import_cell_too_long: 422,
  import_too_slow: 422,
  import_unreadable: 422,
  rate_limited: 429,
  internal_error: 500,
  not_implemented: 501,
  service_unavailable: 503,
} as const;

/**
 * One stable error code.
 *
 * @example
 * const code: ErrorCode = 'invalid_state_transition';
 */
export type ErrorCode = keyof typeof errorCodes;

/**
 * The `title` of each error code's problem, defined once for the server and
 * the fake API: short, the same for every occurrence (the `detail` says
 * what happened and what to do).
 *
 * @example
 * errorTitles.not_found; // 'Not found'
 */
export const errorTitles: Record<ErrorCode, string> = {
  invalid_json: 'Malformed JSON',
  validation_failed: 'Validation failed',
  invalid_cursor: 'Invalid cursor',
  invalid_request: 'Invalid request',
  unauthenticated: 'Authentication required',
  invalid_token: 'Invalid token',
  invalid_client: 'Invalid client',
  environment_mismatch: 'Credential from another environment',
  webhook_verification_failed: 'Webhook verification failed',
  forbidden: 'Forbidden',
  insufficient_scope: 'Insufficient scope',
  ip_not_allowed: 'Address not allowed for this credential',
  client_certificate_required: 'Client certificate required for this credential',
  client_certificate_mismatch: 'Client certificate does not match this credential',
  integration_paused: 'Integration paused',
  integration_deprecated: 'Integration deprecated',
  link_expired: 'Link expired',
  link_invalid: 'Link not valid',
  consent_required: 'Patient consent required',
  not_found: 'Not found',
  method_not_allowed: 'Method not allowed',
  conflict: 'Conflict',
  idempotency_in_flight: 'Request with this idempotency key is in progress',
  invalid_state_transition: 'Invalid state transition',
  funding_parked: 'Funding parked for review',
  slot_full: 'Slot fully booked',
  prepayment_required: 'Prepayment required',
  gone: 'Gone',
  body_too_large: 'Request body too large',
  import_too_large: 'Import file too large',
  document_too_large: 'Document too large',
  import_too_many_rows: 'Import file has too many rows',
  unsupported_media_type: 'Unsupported media type',
  import_wrong_type: 'Import file of the wrong type',
  document_wrong_type: 'Document of a type not accepted',
  idempotency_key_reused: 'Idempotency key reused with another request',
  idempotency_key_credential_mismatch: 'Idempotency key used by another credential',
  payment_exceeds_balance: 'Payment exceeds balance',
  currency_mismatch: 'Currency mismatch',
  refund_exceeds_payment: 'Refund exceeds payment',
  unprocessable: 'Unprocessable request',
  import_too_many_columns: 'Import file has too many columns',
  import_cell_too_long: 'Import cell too long',
  import_too_slow: 'Import took too long',
  import_unreadable: 'Import file unreadable',
  rate_limited: 'Rate limit exceeded',
  internal_error: 'Internal error',
  not_implemented: 'Not implemented',
  service_unavailable: 'Service unavailable',
};

/**
 * One invalid field of a request: a JSON-pointer-like path and what is wrong.
 *
 * @example
 * fieldError.parse({ path: 'body.startsAt', message: 'Invalid ISO datetime', code: 'invalid_format' });
 */
export const fieldError = z.object({
  path: z.string(),
  message: z.string(),
  code: z.string(),
});

/**
 * The problem+json body of every error response.
 *
 * @example
 * problem.parse({ type: 'https://docs.clinicbridge.dev/errors/not_found', title: 'Not found', status: 404, code: 'not_found', requestId: 'req_1' });
 */
export const problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.int(),
  detail: z.optional(z.string()),
  code: z.string(),
  requestId: z.string(),
  instance: z.optional(z.string()),
  errors: z.optional(z.array(fieldError)),
  retryAfter: z.optional(z.number()),
});

/**
 * One invalid field of a request.
 *
 * @example
 * const issue: FieldError = { path: 'body.startsAt', message: 'Invalid ISO datetime', code: 'invalid_format' };
 */
export type FieldError = z.infer<typeof fieldError>;

/**
 * A problem+json body.
 *
 * @example
 * const body: Problem = problem.parse(await res.json());
 */
export type Problem = z.infer<typeof problem>;

/**
 * Base of every problem `type` URI; the code is appended.
 *
 * @example
 * `${PROBLEM_TYPE_BASE}not_found`; // 'https://docs.clinicbridge.dev/errors/not_found'
 */
export const PROBLEM_TYPE_BASE = 'https://docs.clinicbridge.dev/errors/';
