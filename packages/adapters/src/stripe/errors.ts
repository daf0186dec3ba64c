/**
 * Stripe's error body (`{ error: { type, code, decline_code, message } }`)
 * mapped to internal codes. The message is dropped: it can echo parameters.
 */
import type { ProviderFailure, ProviderReply } from '../core/client.ts';

interface StripeErrorBody {
  error?: { type?: string; code?: string; decline_code?: string };
}

/**
 * Maps a Stripe reply to a failure, or `undefined` for success.
 *
 * @example
 * mapStripeError({ status: 402, body: { error: { type: 'card_error', code: 'card_declined' } }, headers: new Headers() });
 * // { code: 'rejected', providerCode: 'card_declined' }
 */
export function mapStripeError(reply: ProviderReply): ProviderFailure | undefined {
  if (reply.status < 400) return undefined;
  const error = (reply.body as StripeErrorBody | undefined)?.error;
  const providerCode = error?.decline_code ?? error?.code ?? error?.type;
  // Stripe says explicitly when a retry is safe (e.g. 409 lock_timeout).
  if (reply.headers.get('stripe-should-retry') === 'true' && reply.status === 409) {
    return { code: 'provider_unavailable', providerCode };
  }
  switch (error?.type) {
    case 'card_error':
      return { code: 'rejected', providerCode };
    case 'idempotency_error':
      return { code: 'conflict', providerCode };
    case 'authentication_error':
      return { code: 'auth_failed', providerCode };
    case 'rate_limit_error':
      return { code: 'rate_limited', providerCode };
    case 'api_error':
      return { code: 'provider_unavailable', providerCode };
    case 'invalid_request_error':
      if (reply.status === 404 || error.code === 'resource_missing')
        return { code: 'not_found', providerCode };
      if (error.code === 'payment_intent_unexpected_state')
        return { code: 'conflict', providerCode };
      return { code: reply.status === 401 ? 'auth_failed' : 'invalid_request', providerCode };
    default:
      return { providerCode };
  }
}
