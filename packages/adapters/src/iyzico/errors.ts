/**
 * iyzico answers most failures with HTTP 200 and `{ status: 'failure',
 * errorCode, errorMessage, errorGroup }`. Bank declines carry an
 * `errorGroup` (e.g. NOT_SUFFICIENT_FUNDS) and codes from 10000; general
 * codes 1–2 are system errors; 1000/1001 are signature and API-key errors.
 * Other codes are request problems. iyzico has no dedicated "unknown
 * payment" signal, so an unknown payment id reads as `invalid_request`.
 */
import type { ProviderFailure, ProviderReply } from '../core/client.ts';

interface IyzicoBody {
  status?: string;
  errorCode?: string | number;
  errorGroup?: string | null;
}

/**
 * Maps an iyzico reply (also 200s) to a failure, or `undefined` for success.
 *
 * @example
 * mapIyzicoError({ status: 200, body: { status: 'failure', errorCode: '10051', errorGroup: 'NOT_SUFFICIENT_FUNDS' }, headers: new Headers() });
 * // { code: 'rejected', providerCode: '10051' }
 */
export function mapIyzicoError(reply: ProviderReply): ProviderFailure | undefined {
  const body = reply.body as IyzicoBody | undefined;
  if (reply.status < 400 && body?.status !== 'failure') return undefined;
  const providerCode = body?.errorCode !== undefined ? String(body.errorCode) : undefined;
  if (reply.status >= 500) return { code: 'provider_unavailable', providerCode };
  if (reply.status === 401 || providerCode === '1000' || providerCode === '1001')
    return { code: 'auth_failed', providerCode };
  if (providerCode === '1' || providerCode === '2')
    return { code: 'provider_unavailable', providerCode };
  if (body?.errorGroup || Number(providerCode) >= 10000) return { code: 'rejected', providerCode };
  return { code: reply.status === 429 ? 'rate_limited' : 'invalid_request', providerCode };
}
