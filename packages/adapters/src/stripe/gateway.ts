/**
 * `PaymentGateway` on Stripe: PaymentIntents (manual or automatic capture),
 * Refunds and balance transactions for settlement. Only amount, currency,
 * method and ClinicBridge's reference are sent — no names, emails or
 * clinical descriptions.
 */
import { z } from 'zod';
import { segment } from '../core/adapter-options.ts';
import type { ProviderClient } from '../core/client.ts';
import { ProviderError } from '../core/errors.ts';
import {
  CapturePaymentInputSchema,
  CreatePaymentInputSchema,
  type PaymentGateway,
  type PaymentIntent,
  type PaymentStatus,
  type Refund,
  RefundInputSchema,
  type SettlementLine,
  SettlementReportInputSchema,
} from '../ports/payment.ts';
import { parseInput } from '../ports/validate.ts';
import { createStripeClient, type StripeOptions } from './client.ts';

const StripeIntent = z.object({
  id: z.string(),
  status: z.string(),
  amount: z.number().int(),
  currency: z.string(),
  client_secret: z.string().nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
});

const StripeRefund = z.object({
  id: z.string(),
  amount: z.number().int(),
  currency: z.string(),
  payment_intent: z.string().nullish(),
  status: z.string().nullish(),
});

const StripeBalanceTransactions = z.object({
  data: z.array(
    z.object({
      id: z.string(),
      amount: z.number().int(),
      fee: z.number().int(),
      net: z.number().int(),
      currency: z.string(),
      type: z.string(),
      created: z.number().int(),
      // Expanded, so a charge or refund line names its PaymentIntent (the id the
      // port uses everywhere); other fields of the object (billing details) are dropped.
      source: z
        .union([z.string(), z.object({ id: z.string(), payment_intent: z.string().nullish() })])
        .nullish(),
    }),
  ),
  has_more: z.boolean(),
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

const LINE_TYPE: Record<string, SettlementLine['type']> = {
  charge: 'charge',
  payment: 'charge',
  refund: 'refund',
  payment_refund: 'refund',
  payout: 'payout',
  transfer: 'transfer',
  stripe_fee: 'fee',
  application_fee: 'fee',
  adjustment: 'adjustment',
};

const REFUND_REASON = {
  requested_by_customer: 'requested_by_customer',
  treatment_cancelled: 'requested_by_customer',
  duplicate: 'duplicate',
  fraudulent: 'fraudulent',
} as const;

/**
 * The payment a balance transaction belongs to: the PaymentIntent of an
 * expanded charge or refund, else the charge id itself (charges made without
 * a PaymentIntent). Payouts, transfers and fees belong to no single payment.
 */
const paymentIdOf = (
  source: string | { id: string; payment_intent?: string | null | undefined } | null | undefined,
  type: SettlementLine['type'],
): string | undefined => {
  if (!source || (type !== 'charge' && type !== 'refund')) return undefined;
  if (typeof source === 'string') return source;
  return source.payment_intent ?? source.id;
};

/**
 * Maps a Stripe PaymentIntent to the port's model (shared with the escrow adapter).
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
 * Maps a Stripe Refund to the port's model (exported as `toStripeRefund` for the escrow adapter).
 *
 * @example
 * toRefund({ id: 're_1', amount: 100, currency: 'eur', status: 'succeeded' }, 'pi_1').status; // 'succeeded'
 */
const toRefund = (refund: z.infer<typeof StripeRefund>, paymentId: string): Refund => ({
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
 * Stripe response schemas, shared with the escrow adapter.
 *
 * @example
 * stripeSchemas.StripeRefund.parse(body);
 */
export const stripeSchemas = { StripeIntent, StripeRefund };
export { toRefund as toStripeRefund };

/**
 * Creates a Stripe-backed {@link PaymentGateway}.
 *
 * @example
 * const gateway = createStripeGateway({ secretKey: process.env.STRIPE_SECRET_KEY! });
 * const intent = await gateway.createIntent({ reference: 'pay_1', amountMinor: 125000, currency: 'EUR', method: 'card' });
 * // hand intent.clientSecret to Stripe.js; later:
 * await gateway.capture({ paymentId: intent.id });
 */
export function createStripeGateway(options: StripeOptions): PaymentGateway {
  const client: ProviderClient = createStripeClient(options);

  return {
    provider: 'stripe',

    async createIntent(raw) {
      const operation = 'payments.createIntent';
      const input = parseInput(CreatePaymentInputSchema, raw, 'stripe', operation);
      if (input.method !== 'card') {
        throw new ProviderError({
          code: 'invalid_request',
          provider: 'stripe',
          operation,
          fields: ['method'],
          message:
            'This Stripe integration takes card payments only; use another gateway for UPI or bank transfer.',
        });
      }
      const intent = await client.json({
        operation,
        method: 'post',
        path: '/v1/payment_intents',
        form: {
          amount: input.amountMinor,
          currency: input.currency.toLowerCase(),
          'payment_method_types[0]': 'card',
          capture_method: input.captureMethod,
          'metadata[reference]': input.reference,
          statement_descriptor_suffix: input.statementDescriptor,
        },
        schema: StripeIntent,
        ...(input.idempotencyKey ? { idempotencyKey: input.idempotencyKey } : {}),
        ...(input.correlationId ? { correlationId: input.correlationId } : {}),
      });
      return toPaymentIntent(intent);
    },

    async capture(raw) {
      const input = parseInput(CapturePaymentInputSchema, raw, 'stripe', 'payments.capture');
      const intent = await client.json({
        operation: 'payments.capture',
        method: 'post',
        path: `/v1/payment_intents/${segment(input.paymentId)}/capture`,
        form: {},
        schema: StripeIntent,
        // Capturing twice is harmless at Stripe, but one key per payment makes a repeat a replay.
        idempotencyKey: input.idempotencyKey ?? `capture:${input.paymentId}`,
        ...(input.correlationId ? { correlationId: input.correlationId } : {}),
      });
      return toPaymentIntent(intent);
    },

    async refund(raw) {
      const input = parseInput(RefundInputSchema, raw, 'stripe', 'payments.refund');
      const refund = await client.json({
        operation: 'payments.refund',
        method: 'post',
        path: '/v1/refunds',
        form: {
          payment_intent: input.paymentId,
          amount: input.amountMinor,
          reason: input.reason ? REFUND_REASON[input.reason] : undefined,
        },
        schema: StripeRefund,
        ...(input.idempotencyKey ? { idempotencyKey: input.idempotencyKey } : {}),
        ...(input.correlationId ? { correlationId: input.correlationId } : {}),
      });
      return toRefund(refund, input.paymentId);
    },

    async status(raw) {
      const input = parseInput(
        z.object({ paymentId: z.string().min(1), correlationId: z.string().optional() }),
        raw,
        'stripe',
        'payments.status',
      );
      const intent = await client.json({
        operation: 'payments.status',
        path: `/v1/payment_intents/${segment(input.paymentId)}`,
        schema: StripeIntent,
        ...(input.correlationId ? { correlationId: input.correlationId } : {}),
      });
      return toPaymentIntent(intent);
    },

    async settlementReport(raw) {
      const input = parseInput(
        SettlementReportInputSchema,
        raw,
        'stripe',
        'payments.settlementReport',
      );
      const lines: SettlementLine[] = [];
      let startingAfter: string | undefined;
      let truncated = false;
      for (;;) {
        const page = await client.json({
          operation: 'payments.settlementReport',
          path: '/v1/balance_transactions',
          searchParams: {
            'created[gte]': Math.floor(Date.parse(input.from) / 1000),
            'created[lt]': Math.floor(Date.parse(input.to) / 1000),
            limit: 100,
            'expand[]': 'data.source',
            starting_after: startingAfter,
          },
          schema: StripeBalanceTransactions,
          ...(input.correlationId ? { correlationId: input.correlationId } : {}),
        });
        for (const txn of page.data) {
          if (lines.length >= input.maxLines) {
            truncated = true;
            break;
          }
          const type = LINE_TYPE[txn.type] ?? 'other';
          const paymentId = paymentIdOf(txn.source, type);
          lines.push({
            id: txn.id,
            type,
            ...(paymentId ? { paymentId } : {}),
            grossMinor: txn.amount,
            feeMinor: txn.fee,
            netMinor: txn.net,
            currency: txn.currency.toUpperCase(),
            occurredAt: new Date(txn.created * 1000).toISOString(),
          });
        }
        const last = page.data.at(-1);
        if (truncated || !page.has_more || !last) {
          truncated ||= page.has_more && lines.length >= input.maxLines;
          break;
        }
        startingAfter = last.id;
      }
      return { provider: 'stripe', from: input.from, to: input.to, lines, truncated };
    },
  };
}
