/**
 * Razorpay errors (`{ error: { code, description, source, step, reason,
 * metadata, field } }`) mapped to internal codes. `description` is read to
 * tell "does not exist" from other bad requests and then dropped.
 */
import type { ProviderFailure, ProviderReply } from '../core/client.ts';

interface RazorpayErrorBody {
  error?: { code?: string; description?: string; reason?: string; field?: string };
}

/**
 * Maps a Razorpay reply to a failure, or `undefined` for success.
 *
 * @example
 * mapRazorpayError({ status: 400, body: { error: { code: 'BAD_REQUEST_ERROR', description: 'The id provided does not exist' } }, headers: new Headers() });
 * // { code: 'not_found', providerCode: 'BAD_REQUEST_ERROR' }
 */
export function mapRazorpayError(reply: ProviderReply): ProviderFailure | undefined {
  if (reply.status < 400) return undefined;
  const error = (reply.body as RazorpayErrorBody | undefined)?.error;
  const providerCode = error?.reason && error.reason !== 'NA' ? error.reason : error?.code;
  const description = error?.description ?? '';
  if (reply.status === 401 || /authentication failed/i.test(description))
    return { code: 'auth_failed', providerCode };
  if (/does not exist/i.test(description)) return { code: 'not_found', providerCode };
  if (/already been (captured|refunded)|already captured/i.test(description))
    return { code: 'conflict', providerCode };
  switch (error?.code) {
    case 'GATEWAY_ERROR':
      return { code: reply.status >= 500 ? 'provider_unavailable' : 'rejected', providerCode };
    case 'SERVER_ERROR':
      return { code: 'provider_unavailable', providerCode };
    case 'BAD_REQUEST_ERROR':
      return { code: reply.status === 429 ? 'rate_limited' : 'invalid_request', providerCode };
    default:
      return { providerCode };
  }
}
