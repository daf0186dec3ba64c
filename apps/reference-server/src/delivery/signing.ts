/**
 * Signing of outbound deliveries with `@clinicbridge/webhooks` (Standard
 * Webhooks). `webhook-id` is the event id, identical across retries and
 * replays, so receivers deduplicate on it. During a rotation the previous
 * secret signs alongside the current one for 24 hours, so a receiver still
 * holding the old secret keeps verifying.
 */
import { generateSecret, type StandardWebhookHeaders, signSync } from '@clinicbridge/webhooks';

/**
 * How long a rotated-out secret keeps signing.
 *
 * @example
 * new Date(Date.now() + SECRET_ROTATION_GRACE_MS); // when the old secret stops signing
 */
export const SECRET_ROTATION_GRACE_MS = 24 * 3_600_000;

/**
 * An endpoint's secrets as stored.
 *
 * @example
 * signingSecrets({ secret, previous_secret: null, previous_secret_expires_at: null }, Date.now());
 */
export interface EndpointSecrets {
  readonly secret: string;
  readonly previous_secret: string | null;
  readonly previous_secret_expires_at: Date | null;
}

/**
 * The secrets that sign a delivery now: the current one, plus the previous
 * one while its grace period lasts.
 *
 * @example
 * signingSecrets(endpoint, Date.now()); // ['whsec_new…', 'whsec_old…']
 */
export function signingSecrets(endpoint: EndpointSecrets, nowMs: number): string[] {
  const expires = endpoint.previous_secret_expires_at?.getTime() ?? 0;
  return endpoint.previous_secret && expires > nowMs
    ? [endpoint.secret, endpoint.previous_secret]
    : [endpoint.secret];
}

/**
 * Signs one attempt's body; the timestamp is the attempt's, the id the event's.
 *
 * @example
 * const headers = signDelivery({ eventId: 'evt_…', body, secrets: ['whsec_…'], nowMs: Date.now() });
 */
export function signDelivery(input: {
  eventId: string;
  body: string;
  secrets: readonly string[];
  nowMs: number;
}): StandardWebhookHeaders {
  return signSync({
    id: input.eventId,
    payload: input.body,
    secret: input.secrets,
    timestamp: Math.floor(input.nowMs / 1000),
  });
}

/**
 * A new endpoint secret (`whsec_` + 32 random bytes, base64).
 *
 * @example
 * const secret = newEndpointSecret();
 */
export function newEndpointSecret(): string {
  return generateSecret();
}
