/**
 * Doktor365 errors (`{ success: false, error: { code, message } }`) mapped by
 * HTTP status; the error code is kept as the provider code.
 */
import type { ProviderFailure, ProviderReply } from '../core/client.ts';

/**
 * Maps a Doktor365 reply to a failure, or `undefined` for success.
 *
 * @example
 * mapDoktor365Error({ status: 422, body: { success: false, error: { code: 'VALIDATION_FAILED' } }, headers: new Headers() });
 * // { code: 'invalid_request', providerCode: 'VALIDATION_FAILED' }
 */
export function mapDoktor365Error(reply: ProviderReply): ProviderFailure | undefined {
  const body = reply.body as { success?: unknown; error?: { code?: unknown } } | undefined;
  if (reply.status < 400 && body?.success !== false) return undefined;
  const providerCode =
    typeof body?.error?.code === 'string' ? body.error.code : `http_${reply.status}`;
  if (reply.status === 422 || (reply.status < 400 && body?.success === false))
    return { code: 'invalid_request', providerCode };
  return { providerCode };
}
