/**
 * Reading Stripe's payment webhooks (the event object of `payment_intent.*`
 * after its signature was verified, e.g. with `@clinicbridge/webhooks/stripe`)
 * into a provider-neutral outcome: succeeded, failed or cancelled, amount in minor units
 * and currency, the intent id and the metadata the caller put on the intent.
 * Events ClinicBridge does not use are `ignored`, never an error. Refund
 * events (`refund.updated`, `refund.failed`, `charge.refund.updated`) are read
 * by `readStripeRefundEvent`.
 */
import { z } from 'zod';
import type { PaymentWebhookOutcome, RefundWebhookOutcome } from '../ports/payment.ts';

const StripePaymentEvent = z.object({
  type: z.string(),
  data: z.object({
    object: z.object({
      id: z.string().max(255),
      amount: z.number().int().nonnegative().optional(),
      amount_received: z.number().int().nonnegative().optional(),
      currency: z.string().regex(/^[a-zA-Z]{3}$/),
      metadata: z.record(z.string(), z.string()).default({}),
      last_payment_error: z
        .object({ message: z.string().optional(), code: z.string().optional() })
        .nullish(),
    }),
  }),
});

/**
 * What a Stripe payment webhook says.
 *
 * @example
 * const outcome: StripePaymentOutcome = { kind: 'ignored', type: 'charge.refunded' };
 */
export type StripePaymentOutcome =
  | {
      kind: 'succeeded' | 'failed' | 'cancelled';
      intentId: string;
      amount: { amount: number; currency: string };
      metadata: Record<string, string>;
      /** Stripe's message for a failed payment (no card data). */
      failureMessage?: string;
      /** Stripe's decline code for a failed payment (`card_declined`), when it is a plain code. */
      failureCode?: string;
    }
  | { kind: 'ignored'; type: string }
  | { kind: 'invalid'; reason: string };

const used = {
  'payment_intent.succeeded': 'succeeded',
  'payment.succeeded': 'succeeded',
  'payment_intent.payment_failed': 'failed',
  'payment_intent.canceled': 'cancelled',
} as const;

/**
 * Reads a verified Stripe event.
 *
 * @example
 * const outcome = readStripePaymentEvent(JSON.parse(rawBody));
 * if (outcome.kind === 'succeeded') await markPaid(outcome.metadata.invoiceId, outcome.amount);
 */
export function readStripePaymentEvent(payload: unknown): StripePaymentOutcome {
  const type = String((payload as { type?: unknown } | null)?.type ?? '').slice(0, 100);
  const kind = used[type as keyof typeof used];
  if (!kind) return { kind: 'ignored', type };
  const parsed = StripePaymentEvent.safeParse(payload);
  if (!parsed.success)
    return { kind: 'invalid', reason: 'the payment has no valid amount and currency' };
  const object = parsed.data.data.object;
  const amount = object.amount_received ?? object.amount;
  if (amount === undefined || !Number.isSafeInteger(amount)) {
    return { kind: 'invalid', reason: 'the payment has no valid amount and currency' };
  }
  const message = object.last_payment_error?.message;
  const code = object.last_payment_error?.code;
  return {
    kind,
    intentId: object.id.slice(0, 100),
    amount: { amount, currency: object.currency.toUpperCase() },
    metadata: object.metadata,
    ...(kind === 'failed' && message ? { failureMessage: message.slice(0, 200) } : {}),
    ...(kind === 'failed' && code && /^[a-z0-9_]{1,64}$/.test(code) ? { failureCode: code } : {}),
  };
}

/**
 * Reads a verified Stripe event as the gateway-neutral outcome all
 * gateways' webhooks share (the PaymentIntent is both the attempt and the
 * payment).
 *
 * @example
 * const outcome = readStripeGatewayEvent(JSON.parse(rawBody));
 * if (outcome.kind === 'succeeded') console.log(outcome.providerRef); // the PaymentIntent id
 */
export function readStripeGatewayEvent(payload: unknown): PaymentWebhookOutcome {
  const outcome = readStripePaymentEvent(payload);
  if (outcome.kind === 'ignored' || outcome.kind === 'invalid') return outcome;
  return {
    kind: outcome.kind,
    providerRef: outcome.intentId,
    providerPaymentId: outcome.intentId,
    amount: outcome.amount,
    ...(outcome.kind === 'failed'
      ? { failureCode: outcome.failureCode ?? 'payment_failed' }
      : outcome.kind === 'cancelled'
        ? { failureCode: 'canceled' }
        : {}),
  };
}

const StripeRefundEvent = z.object({
  type: z.string(),
  data: z.object({
    object: z.object({
      id: z.string().min(1).max(255),
      object: z.literal('refund'),
      amount: z.number().int().nonnegative(),
      currency: z.string().regex(/^[a-zA-Z]{3}$/),
      payment_intent: z.string().min(1).max(255),
      status: z.string().max(40),
    }),
  }),
});

const refundEvents = new Set(['refund.updated', 'refund.failed', 'charge.refund.updated']);

/**
 * Reads a verified Stripe refund event: a refund that was pending when it
 * was made is now `succeeded`, or `failed`/`canceled`. A refund still
 * pending, and any other event, is `ignored`.
 *
 * @example
 * const outcome = readStripeRefundEvent(JSON.parse(rawBody));
 * if (outcome.kind === 'refund_succeeded') console.log(outcome.providerRefundId); // re_…
 */
export function readStripeRefundEvent(payload: unknown): RefundWebhookOutcome {
  const type = String((payload as { type?: unknown } | null)?.type ?? '').slice(0, 100);
  if (!refundEvents.has(type)) return { kind: 'ignored', type };
  const parsed = StripeRefundEvent.safeParse(payload);
  if (!parsed.success)
    return { kind: 'invalid', reason: 'the refund has no valid id, payment, amount and currency' };
  const refund = parsed.data.data.object;
  const kind =
    refund.status === 'succeeded'
      ? 'refund_succeeded'
      : refund.status === 'failed' || refund.status === 'canceled'
        ? 'refund_failed'
        : undefined;
  if (!kind) return { kind: 'ignored', type: `${type}:${refund.status.slice(0, 20)}` };
  return {
    kind,
    providerRefundId: refund.id,
    providerPaymentId: refund.payment_intent,
    amount: { amount: refund.amount, currency: refund.currency.toUpperCase() },
  };
}
