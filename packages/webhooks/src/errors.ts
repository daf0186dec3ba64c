/**
 * The one error type of `@clinicbridge/webhooks`: every failure carries a
 * stable `code` a receiver can branch on and a message that says what to fix.
 * Messages never contain a secret, a signature or the payload.
 */

/**
 * Stable machine-readable reasons a webhook could not be signed or verified.
 *
 * @example
 * ```ts
 * const retryable: WebhookErrorCode[] = ['timestamp_too_old', 'timestamp_in_future'];
 * ```
 */
export type WebhookErrorCode =
  | 'missing_header'
  | 'invalid_header'
  | 'invalid_timestamp'
  | 'timestamp_too_old'
  | 'timestamp_in_future'
  | 'invalid_signature'
  | 'invalid_secret'
  | 'invalid_payload'
  | 'empty_payload'
  | 'payload_not_json'
  | 'payload_too_large'
  | 'unknown_scheme'
  | 'unsupported_runtime';

/**
 * Every {@link WebhookErrorCode}, for exhaustive tables (HTTP status maps, docs).
 *
 * @example
 * ```ts
 * for (const code of webhookErrorCodes) console.log(code, statusForWebhookError(code));
 * ```
 */
export const webhookErrorCodes: readonly WebhookErrorCode[] = [
  'missing_header',
  'invalid_header',
  'invalid_timestamp',
  'timestamp_too_old',
  'timestamp_in_future',
  'invalid_signature',
  'invalid_secret',
  'invalid_payload',
  'empty_payload',
  'payload_not_json',
  'payload_too_large',
  'unknown_scheme',
  'unsupported_runtime',
];

/**
 * Thrown (or rejected) by every sign and verify function of this package.
 *
 * @example
 * ```ts
 * try {
 *   await verify(rawBody, request.headers, secret);
 * } catch (error) {
 *   if (isWebhookVerificationError(error)) console.warn(error.code, error.message);
 *   else throw error;
 * }
 * ```
 */
export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';
  /** Stable reason; safe to return to the sender and to log. */
  readonly code: WebhookErrorCode;

  constructor(code: WebhookErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/**
 * True when `error` is a {@link WebhookVerificationError}. Matches on `name` and
 * `code` rather than `instanceof`, so it works across duplicate copies of the
 * package (two versions in one `node_modules`, ESM and CJS builds side by side).
 *
 * @example
 * ```ts
 * if (isWebhookVerificationError(error) && error.code === 'timestamp_too_old') retryLater();
 * ```
 */
export function isWebhookVerificationError(error: unknown): error is WebhookVerificationError {
  return (
    error instanceof Error &&
    error.name === 'WebhookVerificationError' &&
    typeof (error as { code?: unknown }).code === 'string'
  );
}

/**
 * HTTP statuses a receiver answers a rejected delivery with.
 *
 * @example
 * ```ts
 * const status: WebhookErrorStatus = statusForWebhookError('invalid_signature'); // 401
 * ```
 */
export type WebhookErrorStatus = 400 | 401 | 413 | 500;

/**
 * The HTTP status a receiver should answer for a failure: 401 when the sender
 * could not prove who it is (bad signature, stale or future timestamp), 413 for
 * an oversized body, 500 when the receiver itself is misconfigured (bad secret,
 * unknown scheme, runtime without crypto), and 400 for a malformed request.
 *
 * @example
 * ```ts
 * return new Response(null, { status: statusForWebhookError(error.code) });
 * ```
 */
export function statusForWebhookError(code: WebhookErrorCode): WebhookErrorStatus {
  switch (code) {
    case 'invalid_signature':
    case 'timestamp_too_old':
    case 'timestamp_in_future':
      return 401;
    case 'payload_too_large':
      return 413;
    case 'invalid_secret':
    case 'unknown_scheme':
    case 'unsupported_runtime':
      return 500;
    default:
      return 400;
  }
}
