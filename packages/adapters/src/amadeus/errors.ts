/**
 * Amadeus Self-Service errors (`{ errors: [{ status, code, title, detail,
 * source }] }`) mapped by Amadeus' numeric code, then by HTTP status.
 */
import type { ProviderFailure, ProviderReply } from '../core/client.ts';
import type { ProviderErrorCode } from '../core/errors.ts';

const BY_CODE: Record<number, ProviderErrorCode> = {
  38190: 'auth_failed',
  38191: 'auth_failed',
  38187: 'auth_failed',
  38194: 'rate_limited',
  38196: 'not_found',
  141: 'provider_unavailable',
  38189: 'provider_unavailable',
  477: 'invalid_request',
  425: 'invalid_request',
  572: 'invalid_request',
  4926: 'invalid_request',
  32171: 'invalid_request',
  1257: 'invalid_request',
  37200: 'conflict',
  34651: 'rejected',
  3664: 'rejected',
  3289: 'rejected',
};

/**
 * Maps an Amadeus reply to a failure, or `undefined` for success.
 *
 * @example
 * mapAmadeusError({ status: 400, body: { errors: [{ code: 34651, title: 'SEGMENT SELL FAILURE' }] }, headers: new Headers() });
 * // { code: 'rejected', providerCode: '34651' }
 */
export function mapAmadeusError(reply: ProviderReply): ProviderFailure | undefined {
  if (reply.status < 400) return undefined;
  const first = (reply.body as { errors?: Array<{ code?: number | string }> } | undefined)
    ?.errors?.[0];
  const numeric = first?.code === undefined ? undefined : Number(first.code);
  if (numeric === undefined || Number.isNaN(numeric)) return {};
  const code = BY_CODE[numeric];
  return code ? { code, providerCode: String(numeric) } : { providerCode: String(numeric) };
}
