/**
 * Errors of the visa partner API (`{ error: { code, message } }`) mapped to
 * the internal codes, and the partner's refusal codes mapped to the port's
 * reason codes.
 */
import type { ProviderFailure, ProviderReply } from '../core/client.ts';
import type { VisaReasonCode } from '../ports/visa.ts';

/**
 * Maps a partner reply to a failure, or `undefined` for success.
 *
 * @example
 * mapVisaPartnerError({ status: 409, body: { error: { code: 'ALREADY_DECIDED' } }, headers: new Headers() });
 * // { code: 'conflict', providerCode: 'ALREADY_DECIDED' }
 */
export function mapVisaPartnerError(reply: ProviderReply): ProviderFailure | undefined {
  if (reply.status < 400) return undefined;
  const body = reply.body as { error?: { code?: unknown } } | undefined;
  const providerCode =
    typeof body?.error?.code === 'string' ? body.error.code : `http_${reply.status}`;
  if (reply.status === 409) return { code: 'conflict', providerCode };
  if (reply.status === 422 || reply.status === 400)
    return { code: 'invalid_request', providerCode };
  return { providerCode };
}

const REASONS: Record<string, VisaReasonCode> = {
  DOC_MISSING: 'missing_document',
  DOC_ILLEGIBLE: 'missing_document',
  PASSPORT_INVALID: 'invalid_passport',
  PASSPORT_EXPIRING: 'invalid_passport',
  FUNDS_INSUFFICIENT: 'insufficient_funds',
  MEDICAL_GROUNDS: 'medical_justification',
  TRAVEL_HISTORY: 'travel_history',
  SECURITY: 'security_check',
};

/**
 * The port's reason code for a partner refusal code (`other` when unknown).
 *
 * @example
 * visaReasonCode('PASSPORT_EXPIRING'); // 'invalid_passport'
 */
export function visaReasonCode(providerCode: string): VisaReasonCode {
  return REASONS[providerCode] ?? 'other';
}
