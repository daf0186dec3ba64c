/**
 * FCM HTTP v1 errors (Google's `{ error: { code, status, details: [{ errorCode }] } }`):
 * the FCM `errorCode` (`UNREGISTERED`, `QUOTA_EXCEEDED`, …) is the provider
 * code and decides the internal code where it is more precise than the status.
 */
import type { ProviderFailure, ProviderReply } from '../core/client.ts';
import type { ProviderErrorCode } from '../core/errors.ts';

const BY_FCM_CODE: Record<string, ProviderErrorCode> = {
  UNREGISTERED: 'not_found',
  INVALID_ARGUMENT: 'invalid_request',
  SENDER_ID_MISMATCH: 'auth_failed',
  THIRD_PARTY_AUTH_ERROR: 'auth_failed',
  QUOTA_EXCEEDED: 'rate_limited',
  UNAVAILABLE: 'provider_unavailable',
  INTERNAL: 'provider_unavailable',
};

/**
 * Maps an FCM reply to a failure, or `undefined` for success.
 *
 * @example
 * mapFcmError({ status: 404, body: { error: { status: 'NOT_FOUND', details: [{ errorCode: 'UNREGISTERED' }] } }, headers: new Headers() });
 * // { code: 'not_found', providerCode: 'UNREGISTERED' }
 */
export function mapFcmError(reply: ProviderReply): ProviderFailure | undefined {
  if (reply.status < 400) return undefined;
  const error = (
    reply.body as
      | { error?: { status?: unknown; details?: Array<{ errorCode?: unknown }> } }
      | undefined
  )?.error;
  const fcmCode = error?.details?.find((d) => typeof d.errorCode === 'string')?.errorCode as
    | string
    | undefined;
  const providerCode =
    fcmCode ?? (typeof error?.status === 'string' ? error.status : `http_${reply.status}`);
  const code = fcmCode ? BY_FCM_CODE[fcmCode] : undefined;
  return code ? { code, providerCode } : { providerCode };
}
