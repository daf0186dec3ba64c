/**
 * Errors of the e-Fatura integrator REST API (`{ error: { code, message } }`)
 * mapped to the internal codes: 409 (`NOT_APPROVED`, `ETTN_IN_USE`) is
 * `conflict`, 400/422 `invalid_request`; the rest by HTTP status.
 */
import type { ProviderFailure, ProviderReply } from '../core/client.ts';

/**
 * Maps an integrator reply to a failure, or `undefined` for success.
 *
 * @example
 * mapEFaturaError({ status: 409, body: { error: { code: 'NOT_APPROVED' } }, headers: new Headers() });
 * // { code: 'conflict', providerCode: 'NOT_APPROVED' }
 */
export function mapEFaturaError(reply: ProviderReply): ProviderFailure | undefined {
  if (reply.status < 400) return undefined;
  const body = reply.body as { error?: { code?: unknown } } | undefined;
  const providerCode =
    typeof body?.error?.code === 'string' ? body.error.code : `http_${reply.status}`;
  if (reply.status === 409) return { code: 'conflict', providerCode };
  if (reply.status === 422 || reply.status === 400)
    return { code: 'invalid_request', providerCode };
  return { providerCode };
}
