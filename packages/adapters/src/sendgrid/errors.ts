/**
 * SendGrid v3 errors (`{ errors: [{ message, field, help }] }`) mapped by
 * HTTP status; the first error's `field` is kept as the provider code.
 */
import type { ProviderFailure, ProviderReply } from '../core/client.ts';

/**
 * Maps a SendGrid reply to a failure, or `undefined` for success.
 *
 * @example
 * mapSendGridError({ status: 400, body: { errors: [{ field: 'from.email' }] }, headers: new Headers() });
 * // { code: 'invalid_request', providerCode: 'from.email' }
 */
export function mapSendGridError(reply: ProviderReply): ProviderFailure | undefined {
  if (reply.status < 400) return undefined;
  const first = (reply.body as { errors?: Array<{ field?: string | null }> } | undefined)
    ?.errors?.[0];
  const providerCode = first?.field ?? `http_${reply.status}`;
  if (reply.status === 413) return { code: 'invalid_request', providerCode };
  return { providerCode };
}
