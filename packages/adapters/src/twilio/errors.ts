/**
 * Twilio REST errors (`{ code, message, more_info, status }`) mapped to
 * internal codes. Twilio's messages quote the phone number, so only the
 * numeric code is kept.
 */
import type { ProviderFailure, ProviderReply } from '../core/client.ts';
import type { ProviderErrorCode } from '../core/errors.ts';

const BY_CODE: Record<number, ProviderErrorCode> = {
  20003: 'auth_failed',
  20005: 'auth_failed',
  20404: 'not_found',
  20429: 'rate_limited',
  14107: 'rate_limited',
  21211: 'invalid_request',
  21604: 'invalid_request',
  21602: 'invalid_request',
  21606: 'invalid_request',
  21408: 'rejected',
  21610: 'rejected',
  21612: 'rejected',
  21614: 'rejected',
  30003: 'rejected',
  30005: 'rejected',
  30006: 'rejected',
  20500: 'provider_unavailable',
  20503: 'provider_unavailable',
};

/**
 * Maps a Twilio reply to a failure, or `undefined` for success.
 *
 * @example
 * mapTwilioError({ status: 400, body: { code: 21610, status: 400 }, headers: new Headers() });
 * // { code: 'rejected', providerCode: '21610' }
 */
export function mapTwilioError(reply: ProviderReply): ProviderFailure | undefined {
  if (reply.status < 400) return undefined;
  const code = (reply.body as { code?: unknown } | undefined)?.code;
  if (typeof code !== 'number') return {};
  const mapped = BY_CODE[code];
  return mapped ? { code: mapped, providerCode: String(code) } : { providerCode: String(code) };
}
