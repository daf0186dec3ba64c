/**
 * Reading Razorpay's payment webhooks (after their `X-Razorpay-Signature`,
 * an HMAC-SHA256 of the raw body, was verified) into a gateway-neutral
 * outcome. `payment.captured` and `order.paid` both mean the money is
 * captured — Razorpay sends both for one payment, so the reader of the
 * outcome must settle a payment once; `payment.failed` is a decline.
 */
import { z } from 'zod';
import type { PaymentWebhookOutcome } from '../ports/payment.ts';

const RazorpayPaymentEvent = z.object({
  event: z.string(),
  payload: z.object({
    payment: z.object({
      entity: z.object({
        id: z.string().min(1).max(100),
        amount: z.number().int().nonnegative(),
        currency: z.string().regex(/^[A-Z]{3}$/),
        order_id: z.string().min(1).max(100),
        error_reason: z.string().nullish(),
      }),
    }),
  }),
});

const used = {
  'payment.captured': 'succeeded',
  'order.paid': 'succeeded',
  'payment.failed': 'failed',
} as const;

/**
 * Reads a verified Razorpay webhook.
 *
 * @example
 * const outcome = readRazorpayPaymentEvent(JSON.parse(rawBody));
 * if (outcome.kind === 'succeeded') console.log(outcome.providerRef); // the order id
 */
export function readRazorpayPaymentEvent(payload: unknown): PaymentWebhookOutcome {
  const type = String((payload as { event?: unknown } | null)?.event ?? '').slice(0, 100);
  const kind = used[type as keyof typeof used];
  if (!kind) return { kind: 'ignored', type };
  const parsed = RazorpayPaymentEvent.safeParse(payload);
  if (!parsed.success)
    return { kind: 'invalid', reason: 'the payment has no valid id, order, amount and currency' };
  const payment = parsed.data.payload.payment.entity;
  const reason = payment.error_reason;
  return {
    kind,
    providerRef: payment.order_id,
    providerPaymentId: payment.id,
    amount: { amount: payment.amount, currency: payment.currency },
    ...(kind === 'failed'
      ? { failureCode: reason && /^[a-z0-9_]{1,64}$/.test(reason) ? reason : 'payment_failed' }
      : {}),
  };
}
