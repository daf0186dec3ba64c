/**
 * Providers that authenticate their callbacks with a bearer token of their
 * own instead of a shared-secret signature: the ABDM gateway sends an RS256
 * JWT of the keys it publishes (`INBOUND_ABDM_JWKS_URL`), checked by the
 * adapter's verifier for issuer, audience (when set) and expiry (30 s of
 * clock tolerance). A refused
 * callback is 401 `webhook_verification_failed` (the reason in `errors`);
 * keys that cannot be read are 503 `service_unavailable`, so the gateway
 * retries. Either way nothing is stored.
 */
import { createAbdmCallbackVerifier, isAbdmCallbackAuthError } from '@clinicbridge/adapters/abdm';
import { ApiError } from '../kernel/problem.ts';
import type { InboundConfig } from './config.ts';
import type { ProviderName } from './providers.ts';

/**
 * Checks a callback's headers; throws an `ApiError` when it is refused.
 *
 * @example
 * await checks.abdm?.(request.headers);
 */
export type BearerCheck = (headers: Headers) => Promise<void>;

/**
 * The bearer checks of the configured providers (only ABDM today).
 *
 * @example
 * const checks = bearerChecks(config);
 * if (!checks.abdm) throw new ApiError('not_found', '…');
 */
export function bearerChecks(
  config: InboundConfig,
  fetcher?: typeof fetch,
): Partial<Record<ProviderName, BearerCheck>> {
  if (!config.INBOUND_ABDM_JWKS_URL) return {};
  const verifier = createAbdmCallbackVerifier({
    jwksUrl: config.INBOUND_ABDM_JWKS_URL,
    issuer: config.INBOUND_ABDM_ISSUER,
    ...(config.INBOUND_ABDM_AUDIENCE ? { audience: config.INBOUND_ABDM_AUDIENCE } : {}),
    ...(fetcher ? { fetch: fetcher } : {}),
  });
  return {
    abdm: async (headers) => {
      try {
        await verifier.verify(headers.get('authorization'));
      } catch (error) {
        if (!isAbdmCallbackAuthError(error)) throw error;
        if (error.reason === 'keys_unavailable')
          throw new ApiError('service_unavailable', error.message, {
            retryAfter: 30,
            headers: { 'Retry-After': '30' },
          });
        throw new ApiError('webhook_verification_failed', error.message, {
          errors: [{ path: 'headers.authorization', message: error.message, code: error.reason }],
        });
      }
    },
  };
}
