/**
 * Reading Razorpay's payment webhooks (after their `X-Razorpay-Signature`,
 * an HMAC-SHA256 of the raw body, was verified) into a gateway-neutral
 * outcome. `payment.captured` and `order.paid` both mean the money is
 * captured — Razorpay sends both for one payment, so the reader of the
 * outcome must settle a payment once; `payment.failed` is a decline.
 * `refund.processed` and `refund.failed` finish a refund Razorpay answered
 * as pending (UPI refunds usually are); `readRazorpayRefundEvent` reads them.
 */
import { z } from 'zod';
import type { PaymentWebhookOutcome, RefundWebhookOutcome } from '../ports/payment.ts';

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

const RazorpayRefundEvent = z.object({
  event: z.string(),
  payload: z.object({
    refund: z.object({
      entity: z.object({
        id: z.string().min(1).max(100),
        payment_id: z.string().min(1).max(100),
        amount: z.number().int().nonnegative(),
        currency: z.string().regex(/^[A-Z]{3}$/),
      }),
    }),
  }),
});

const refundUsed = {
  'refund.processed': 'refund_succeeded',
  'refund.failed': 'refund_failed',
} as const;

/**
 * Reads a verified Razorpay refund webhook (`refund.processed`,
 * `refund.failed`); any other event is `ignored`.
 *
 * @example
 * const outcome = readRazorpayRefundEvent(JSON.parse(rawBody));
 * if (outcome.kind === 'refund_failed') console.log(outcome.providerRefundId); // rfnd_…
 */
export function readRazorpayRefundEvent(payload: unknown): RefundWebhookOutcome {
  const type = String((payload as { event?: unknown } | null)?.event ?? '').slice(0, 100);
  const kind = refundUsed[type as keyof typeof refundUsed];
  if (!kind) return { kind: 'ignored', type };
  const parsed = RazorpayRefundEvent.safeParse(payload);
  if (!parsed.success)
    return { kind: 'invalid', reason: 'the refund has no valid id, payment, amount and currency' };
  const refund = parsed.data.payload.refund.entity;
  return {
    kind,
    providerRefundId: refund.id,
    providerPaymentId: refund.payment_id,
    amount: { amount: refund.amount, currency: refund.currency },
  };
}
