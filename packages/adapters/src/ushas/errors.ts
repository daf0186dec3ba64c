/**
 * USHAŞ catalogue errors (`{ error: { code, message } }`) mapped by HTTP
 * status; the error code is kept as the provider code.
 */
import type { ProviderFailure, ProviderReply } from '../core/client.ts';

/**
 * Maps a USHAŞ reply to a failure, or `undefined` for success.
 *
 * @example
 * mapUshasError({ status: 400, body: { error: { code: 'INVALID_CURSOR' } }, headers: new Headers() });
 * // { code: 'invalid_request', providerCode: 'INVALID_CURSOR' }
 */
export function mapUshasError(reply: ProviderReply): ProviderFailure | undefined {
  if (reply.status < 400) return undefined;
  const body = reply.body as { error?: { code?: unknown } } | undefined;
  const providerCode =
    typeof body?.error?.code === 'string' ? body.error.code : `http_${reply.status}`;
  if (reply.status === 400 || reply.status === 422)
    return { code: 'invalid_request', providerCode };
  return { providerCode };
}
