/**
 * Offer tokens: the supplier's offer, opaque to ClinicBridge, carried in the
 * normalised option so pricing and booking can hand it back without any
 * server-side cache (works across processes). A token is input like any
 * other: it is decoded defensively and size-bounded.
 */
import { ProviderError } from '../core/errors.ts';

const MAX_TOKEN_LENGTH = 64 * 1024;

/**
 * Encodes a supplier offer as an opaque token.
 *
 * @example
 * const token = encodeOfferToken({ id: '1', type: 'flight-offer' });
 */
export function encodeOfferToken(offer: unknown): string {
  return Buffer.from(JSON.stringify(offer), 'utf8').toString('base64url');
}

/**
 * Decodes a token, or throws `invalid_request` on `offerToken`.
 *
 * @example
 * const offer = decodeOfferToken(token, 'flights.price');
 */
export function decodeOfferToken(token: string, operation: string): Record<string, unknown> {
  const invalid = () =>
    new ProviderError({
      code: 'invalid_request',
      provider: 'amadeus',
      operation,
      fields: ['offerToken'],
    });
  if (token.length > MAX_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+$/.test(token)) throw invalid();
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid();
    return value as Record<string, unknown>;
  } catch {
    throw invalid();
  }
}

/**
 * Minutes in an ISO 8601 duration such as `PT2H35M` or `P1DT1H`.
 *
 * @example
 * durationMinutes('PT2H35M'); // 155
 */
export function durationMinutes(iso: string): number {
  const match = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/.exec(iso);
  if (!match) return 0;
  return Number(match[1] ?? 0) * 1440 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0);
}
