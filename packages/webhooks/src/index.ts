/**
 * `@clinicbridge/webhooks`: sign and verify webhooks. The root exports the
 * Standard Webhooks scheme, the error type and the scheme registry; other
 * schemes, idempotency helpers and receiver middleware are subpath exports.
 */
export {
  isWebhookVerificationError,
  statusForWebhookError,
  type WebhookErrorCode,
  type WebhookErrorStatus,
  WebhookVerificationError,
  webhookErrorCodes,
} from './errors.ts';
export { getScheme, isSchemeName, type SchemeName, schemes } from './registry.ts';
export type { SchemeSignInput, WebhookScheme } from './scheme.ts';
export {
  generateSecret,
  type SignInput,
  type StandardWebhookHeaders,
  sign,
  signSync,
  standardScheme,
  type VerifiedSignature,
  verify,
  verifySignature,
  verifySignatureSync,
  verifySync,
} from './standard/index.ts';
export type { HeadersLike, VerifyOptions, WebhookPayload, WebhookSecret } from './types.ts';
