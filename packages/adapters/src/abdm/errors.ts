/**
 * ABDM gateway errors (`{ error: { code: 'ABDM-1017', message } }`) mapped by
 * HTTP status; the ABDM code is kept as the provider code.
 */
import type { ProviderFailure, ProviderReply } from '../core/client.ts';

/**
 * Maps an ABDM reply to a failure, or `undefined` for success.
 *
 * @example
 * mapAbdmError({ status: 400, body: { error: { code: 'ABDM-1017', message: 'Invalid request' } }, headers: new Headers() });
 * // { providerCode: 'ABDM-1017' }
 */
export function mapAbdmError(reply: ProviderReply): ProviderFailure | undefined {
  if (reply.status < 400) return undefined;
  const code = (reply.body as { error?: { code?: unknown } } | undefined)?.error?.code;
  return { providerCode: typeof code === 'string' ? code : `http_${reply.status}` };
}
