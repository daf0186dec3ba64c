/**
 * `PaymentGateway` on Stripe: PaymentIntents (manual or automatic capture),
 * Refunds and balance transactions for settlement. Only amount, currency,
 * method and ClinicBridge's reference are sent — no names, emails or
 * clinical descriptions.
 */
import { z } from 'zod';
import { segment } from '../core/adapter-options.ts';
import { correlation } from '../core/call-keys.ts';
import type { ProviderClient } from '../core/client.ts';
import {
  CapturePaymentInputSchema,
  CreatePaymentInputSchema,
  type PaymentGateway,
  RefundInputSchema,
  type SettlementLine,
  SettlementReportInputSchema,
} from '../ports/payment.ts';
import { createSettlementCollector } from '../ports/settlement-lines.ts';
import { parseInput } from '../ports/validate.ts';
import { createStripeClient, type StripeOptions } from './client.ts';
import {
  createCardIntent,
  createRefund,
  requireCard,
  StripeIntent,
  toPaymentIntent,
} from './intents.ts';

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

const toSettlementLine = (
  txn: z.infer<typeof StripeBalanceTransactions>['data'][number],
): SettlementLine => {
  const type = LINE_TYPE[txn.type] ?? 'other';
  const paymentId = paymentIdOf(txn.source, type);
  return {
    id: txn.id,
    type,
    ...(paymentId ? { paymentId } : {}),
    grossMinor: txn.amount,
    feeMinor: txn.fee,
    netMinor: txn.net,
    currency: txn.currency.toUpperCase(),
    occurredAt: new Date(txn.created * 1000).toISOString(),
  };
};

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
      requireCard(
        input.method,
        operation,
        'This Stripe integration takes card payments only; use another gateway for UPI or bank transfer.',
      );
      return createCardIntent(
        client,
        operation,
        input,
        {
          capture_method: input.captureMethod,
          'metadata[reference]': input.reference,
          statement_descriptor_suffix: input.statementDescriptor,
        },
        input,
      );
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
        ...correlation(input),
      });
      return toPaymentIntent(intent);
    },

    async refund(raw) {
      const input = parseInput(RefundInputSchema, raw, 'stripe', 'payments.refund');
      const reason = input.reason ? REFUND_REASON[input.reason] : undefined;
      return createRefund(client, 'payments.refund', input, { reason }, input);
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
        ...correlation(input),
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
      const collector = createSettlementCollector(input.maxLines);
      let startingAfter: string | undefined;
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
          ...correlation(input),
        });
        const kept = collector.addAll(page.data, toSettlementLine);
        const last = page.data.at(-1);
        if (!kept || !page.has_more || !last) {
          if (page.has_more) collector.noteMore();
          break;
        }
        startingAfter = last.id;
      }
      return collector.report('stripe', input);
    },
  };
}
