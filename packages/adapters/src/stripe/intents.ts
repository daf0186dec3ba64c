/**
 * The PaymentIntent and Refund requests the Stripe gateway and the Stripe
 * escrow adapter both make, and the mapping of their answers to the ports'
 * models, so the two adapters charge and refund in exactly the same way.
 */
import { z } from 'zod';
import { type CallerKeys, callerKeys } from '../core/call-keys.ts';
import type { ProviderClient } from '../core/client.ts';
import type { Scalar } from '../core/client-types.ts';
import { ProviderError } from '../core/errors.ts';
import type { PaymentIntent, PaymentStatus, Refund } from '../ports/payment.ts';

/**
 * A Stripe PaymentIntent, as far as ClinicBridge reads it.
 *
 * @example
 * StripeIntent.parse(body).status;
 */
export const StripeIntent = z.object({
  id: z.string(),
  status: z.string(),
  amount: z.number().int(),
  currency: z.string(),
  client_secret: z.string().nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
});

/**
 * A Stripe Refund, as far as ClinicBridge reads it.
 *
 * @example
 * StripeRefund.parse(body).amount;
 */
export const StripeRefund = z.object({
  id: z.string(),
  amount: z.number().int(),
  currency: z.string(),
  payment_intent: z.string().nullish(),
  status: z.string().nullish(),
});

const INTENT_STATUS: Record<string, PaymentStatus> = {
  requires_payment_method: 'requires_action',
  requires_confirmation: 'requires_action',
  requires_action: 'requires_action',
  processing: 'processing',
  requires_capture: 'authorized',
  succeeded: 'captured',
  canceled: 'canceled',
};

/**
 * Maps a Stripe PaymentIntent to the port's model.
 *
 * @example
 * toPaymentIntent({ id: 'pi_1', status: 'requires_capture', amount: 100, currency: 'eur' }).status; // 'authorized'
 */
export const toPaymentIntent = (intent: z.infer<typeof StripeIntent>): PaymentIntent => ({
  id: intent.id,
  provider: 'stripe',
  status: INTENT_STATUS[intent.status] ?? 'processing',
  amountMinor: intent.amount,
  currency: intent.currency.toUpperCase(),
  ...(intent.metadata?.reference ? { reference: intent.metadata.reference } : {}),
  ...(intent.client_secret ? { clientSecret: intent.client_secret } : {}),
});

/**
 * Maps a Stripe Refund to the port's model; `paymentId` stands in when
 * Stripe's answer names no PaymentIntent.
 *
 * @example
 * toRefund({ id: 're_1', amount: 100, currency: 'eur', status: 'succeeded' }, 'pi_1').status; // 'succeeded'
 */
export const toRefund = (refund: z.infer<typeof StripeRefund>, paymentId: string): Refund => ({
  id: refund.id,
  provider: 'stripe',
  paymentId: refund.payment_intent ?? paymentId,
  amountMinor: refund.amount,
  currency: refund.currency.toUpperCase(),
  status:
    refund.status === 'succeeded'
      ? 'succeeded'
      : refund.status === 'failed' || refund.status === 'canceled'
        ? 'failed'
        : 'pending',
});

/**
 * Refuses anything but card: the Stripe adapters take card payments only.
 *
 * @example
 * requireCard('upi', 'payments.createIntent'); // throws ProviderError invalid_request on `method`
 */
export function requireCard(method: string, operation: string, message?: string): void {
  if (method === 'card') return;
  throw new ProviderError({
    code: 'invalid_request',
    provider: 'stripe',
    operation,
    fields: ['method'],
    ...(message ? { message } : {}),
  });
}

/**
 * Creates a card PaymentIntent for `amountMinor` in `currency`; `form` adds
 * the caller's fields (capture method, reference, transfer group).
 *
 * @example
 * await createCardIntent(client, 'payments.createIntent', { amountMinor: 1000, currency: 'EUR' },
 *   { capture_method: 'manual', 'metadata[reference]': 'pay_1' }, { correlationId: 'req_1' });
 */
export async function createCardIntent(
  client: ProviderClient,
  operation: string,
  amount: { amountMinor: number; currency: string },
  form: Record<string, Scalar>,
  meta: CallerKeys,
): Promise<PaymentIntent> {
  const intent = await client.json({
    operation,
    method: 'post',
    path: '/v1/payment_intents',
    form: {
      amount: amount.amountMinor,
      currency: amount.currency.toLowerCase(),
      'payment_method_types[0]': 'card',
      ...form,
    },
    schema: StripeIntent,
    ...callerKeys(meta),
  });
  return toPaymentIntent(intent);
}

/**
 * Refunds `amountMinor` (all that is left when absent) of a PaymentIntent;
 * `form` adds the caller's fields (reason, metadata).
 *
 * @example
 * await createRefund(client, 'payments.refund', { paymentId: 'pi_1', amountMinor: 500 }, {}, {});
 */
export async function createRefund(
  client: ProviderClient,
  operation: string,
  target: { paymentId: string; amountMinor?: number | undefined },
  form: Record<string, Scalar>,
  meta: CallerKeys,
): Promise<Refund> {
  const refund = await client.json({
    operation,
    method: 'post',
    path: '/v1/refunds',
    form: { payment_intent: target.paymentId, amount: target.amountMinor, ...form },
    schema: StripeRefund,
    ...callerKeys(meta),
  });
  return toRefund(refund, target.paymentId);
}
