/**
 * iyzico's payment webhooks for the hosted Checkout Form: the
 * `X-IYZ-SIGNATURE-V3` signature (HMAC-SHA256 with the merchant's secret key
 * over secret key, event type, payment id, token, conversation id and
 * status, hex) and the reading of a verified body into a gateway-neutral
 * outcome. The body carries no amount: the caller knows what the checkout
 * asked for.
 */
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import type { PaymentWebhookOutcome } from '../ports/payment.ts';

const IyzicoCheckoutEvent = z.object({
  iyziEventType: z.string().min(1).max(100),
  iyziPaymentId: z.union([z.number().int(), z.string().min(1).max(100)]),
  token: z.string().min(1).max(200),
  paymentConversationId: z.string().max(200).default(''),
  status: z.string().min(1).max(40),
  iyziReferenceCode: z.string().max(200).optional(),
});

/**
 * The signature iyzico puts in `X-IYZ-SIGNATURE-V3` for a Checkout Form
 * webhook, or null when the body lacks the signed fields.
 *
 * @example
 * const expected = iyzicoWebhookSignature(JSON.parse(rawBody), process.env.IYZICO_SECRET_KEY!);
 */
export function iyzicoWebhookSignature(payload: unknown, secretKey: string): string | null {
  const parsed = IyzicoCheckoutEvent.safeParse(payload);
  if (!parsed.success) return null;
  const e = parsed.data;
  return createHmac('sha256', secretKey)
    .update(
      `${secretKey}${e.iyziEventType}${e.iyziPaymentId}${e.token}${e.paymentConversationId}${e.status}`,
    )
    .digest('hex');
}

/**
 * Reads a verified iyzico Checkout Form webhook.
 *
 * @example
 * const outcome = readIyzicoPaymentEvent(JSON.parse(rawBody));
 * if (outcome.kind === 'succeeded') console.log(outcome.providerRef); // the checkout-form token
 */
export function readIyzicoPaymentEvent(payload: unknown): PaymentWebhookOutcome {
  const parsed = IyzicoCheckoutEvent.safeParse(payload);
  if (!parsed.success)
    return { kind: 'invalid', reason: 'the webhook has no token, payment id and status' };
  const e = parsed.data;
  const kind = e.status === 'SUCCESS' ? 'succeeded' : e.status === 'FAILURE' ? 'failed' : null;
  if (!kind) return { kind: 'ignored', type: `${e.iyziEventType}:${e.status}`.slice(0, 100) };
  return {
    kind,
    providerRef: e.token,
    providerPaymentId: String(e.iyziPaymentId),
    ...(kind === 'failed' ? { failureCode: 'payment_failed' } : {}),
  };
}
