/**
 * WhatsApp Cloud API (Graph API) errors: `{ error: { message, type, code,
 * error_subcode, error_data, fbtrace_id } }` mapped to internal codes by
 * Meta's numeric code. The message is dropped: it can echo the recipient.
 */
import type { ProviderFailure, ProviderReply } from '../core/client.ts';
import type { ProviderErrorCode } from '../core/errors.ts';

const BY_CODE: Record<number, ProviderErrorCode> = {
  0: 'auth_failed',
  190: 'auth_failed',
  10: 'auth_failed',
  200: 'auth_failed',
  4: 'rate_limited',
  80007: 'rate_limited',
  130429: 'rate_limited',
  131048: 'rate_limited',
  131056: 'rate_limited',
  131026: 'rejected',
  131047: 'rejected',
  131049: 'rejected',
  131050: 'rejected',
  131031: 'rejected',
  100: 'invalid_request',
  131008: 'invalid_request',
  131009: 'invalid_request',
  132000: 'invalid_request',
  132001: 'not_found',
  132005: 'invalid_request',
  132007: 'invalid_request',
  132012: 'invalid_request',
  1: 'provider_unavailable',
  2: 'provider_unavailable',
  131000: 'provider_unavailable',
  131016: 'provider_unavailable',
  133004: 'provider_unavailable',
};

/**
 * Maps a Graph API reply to a failure, or `undefined` for success.
 *
 * @example
 * mapWhatsAppError({ status: 400, body: { error: { code: 131026 } }, headers: new Headers() });
 * // { code: 'rejected', providerCode: '131026' }
 */
export function mapWhatsAppError(reply: ProviderReply): ProviderFailure | undefined {
  if (reply.status < 400) return undefined;
  const error = (reply.body as { error?: { code?: number; error_subcode?: number } } | undefined)
    ?.error;
  if (error?.code === undefined) return {};
  const code = BY_CODE[error.code];
  const providerCode = error.error_subcode
    ? `${error.code}/${error.error_subcode}`
    : String(error.code);
  return code ? { code, providerCode } : { providerCode };
}
