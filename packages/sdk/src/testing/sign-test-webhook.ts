/**
 * Signs an event the way ClinicBridge delivers it (Standard Webhooks:
 * `webhook-id` = event id, `webhook-timestamp`, `webhook-signature`), so a
 * partner's receiver can be tested with a real signature and a raw body.
 */
import { type StandardWebhookHeaders, sign } from '@clinicbridge/webhooks';
import type { EventEnvelope } from '../contract/index.ts';

/**
 * A signed webhook request: the exact body bytes and the headers to send with them.
 *
 * @example
 * const { body, headers }: SignedTestWebhook = await signTestWebhook(event, secret);
 */
export interface SignedTestWebhook {
  /** The JSON body; verify over this exact string. */
  readonly body: string;
  readonly headers: StandardWebhookHeaders & { 'content-type': 'application/json' };
}

/**
 * Serialises and signs `event` with `secret` (a `whsec_…` secret, or several
 * during rotation). `timestamp` (a Date or Unix seconds) defaults to now; set
 * it to test a receiver's tolerance window.
 *
 * @example
 * const { body, headers } = await signTestWebhook(fixtures.event('payment.received'), secret);
 * const res = await app.request('/webhooks/clinicbridge', { method: 'POST', body, headers });
 */
export async function signTestWebhook(
  event: EventEnvelope | { id: string; type: string },
  secret: string | readonly string[],
  options: { timestamp?: Date | number } = {},
): Promise<SignedTestWebhook> {
  const body = JSON.stringify(event);
  const headers = await sign({
    id: event.id,
    payload: body,
    secret,
    ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp }),
  });
  return { body, headers: { ...headers, 'content-type': 'application/json' } };
}
