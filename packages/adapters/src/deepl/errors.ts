/**
 * DeepL errors (`{ message }`) mapped by HTTP status: 456 (character quota
 * used up) is `rejected`, 413 (text too large) `invalid_request`.
 */
import type { ProviderFailure, ProviderReply } from '../core/client.ts';

/**
 * Maps a DeepL reply to a failure, or `undefined` for success.
 *
 * @example
 * mapDeepLError({ status: 456, body: { message: 'Quota exceeded' }, headers: new Headers() });
 * // { code: 'rejected', providerCode: 'quota_exceeded' }
 */
export function mapDeepLError(reply: ProviderReply): ProviderFailure | undefined {
  if (reply.status < 400) return undefined;
  if (reply.status === 456) return { code: 'rejected', providerCode: 'quota_exceeded' };
  if (reply.status === 413) return { code: 'invalid_request', providerCode: 'too_large' };
  return { providerCode: `http_${reply.status}` };
}
