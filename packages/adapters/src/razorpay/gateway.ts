/**
 * `PaymentGateway` on Razorpay (cards and UPI): an Order is the intent the
 * Checkout completes; payments are captured in full and refunded through
 * the Payments API; settlement lines come from the payments and refunds of
 * the period with their fees. Razorpay has no idempotency header for these
 * calls, so writes are retried only after a 429 and repeated calls with one
 * key are answered from the idempotency store.
 */
import { z } from 'zod';
import { segment } from '../core/adapter-options.ts';
import { callerKeys, correlation } from '../core/call-keys.ts';
import type { ProviderClient } from '../core/client.ts';
import {
  CapturePaymentInputSchema,
  CreatePaymentInputSchema,
  type PaymentGateway,
  type PaymentIntent,
  type PaymentStatus,
  RefundInputSchema,
  type SettlementLine,
  SettlementReportInputSchema,
} from '../ports/payment.ts';
import { createSettlementCollector } from '../ports/settlement-lines.ts';
import { parseInput } from '../ports/validate.ts';
import { createRazorpayClient, type RazorpayOptions } from './client.ts';

export type { RazorpayOptions } from './client.ts';

const Order = z.object({
  id: z.string(),
  amount: z.number().int(),
  currency: z.string(),
  receipt: z.string().nullish(),
  status: z.string(),
});
const Payment = z.object({
  id: z.string(),
  amount: z.number().int(),
  currency: z.string(),
  status: z.string(),
  order_id: z.string().nullish(),
  refund_status: z.string().nullish(),
  fee: z.number().int().nullish(),
  created_at: z.number().int(),
});
const RefundBody = z.object({
  id: z.string(),
  amount: z.number().int(),
  currency: z.string(),
  payment_id: z.string(),
  status: z.string(),
  created_at: z.number().int().optional(),
});
const Collection = <T extends z.ZodType>(item: T) =>
  z.object({ count: z.number().int(), items: z.array(item) });

const PAYMENT_STATUS: Record<string, PaymentStatus> = {
  created: 'requires_action',
  authorized: 'authorized',
  captured: 'captured',
  refunded: 'refunded',
  failed: 'failed',
};

const toIntent = (payment: z.infer<typeof Payment>): PaymentIntent => ({
  id: payment.id,
  provider: 'razorpay',
  status:
    payment.status === 'captured' && payment.refund_status === 'partial'
      ? 'partially_refunded'
      : (PAYMENT_STATUS[payment.status] ?? 'processing'),
  amountMinor: payment.amount,
  currency: payment.currency,
});

/**
 * Creates a Razorpay {@link PaymentGateway}.
 *
 * @example
 * const gateway = createRazorpayGateway({ keyId: 'rzp_test_1', keySecret: process.env.RAZORPAY_KEY_SECRET! });
 * const order = await gateway.createIntent({ reference: 'pay_1', amountMinor: 500000, currency: 'INR', method: 'upi' });
 * // open Razorpay Checkout with order.clientSecret (the order id); then capture the payment id it returns
 */
export function createRazorpayGateway(options: RazorpayOptions): PaymentGateway {
  const client: ProviderClient = createRazorpayClient(options);
  const getPayment = (paymentId: string, correlationId?: string) =>
    client.json({
      operation: 'payments.status',
      path: `/v1/payments/${segment(paymentId)}`,
      schema: Payment,
      ...correlation({ correlationId }),
    });

  return {
    provider: 'razorpay',

    async createIntent(raw) {
      const input = parseInput(CreatePaymentInputSchema, raw, 'razorpay', 'payments.createIntent');
      const order = await client.json({
        operation: 'payments.createIntent',
        method: 'post',
        path: '/v1/orders',
        json: {
          amount: input.amountMinor,
          currency: input.currency,
          receipt: input.reference,
          payment_capture: input.captureMethod === 'automatic' ? 1 : 0,
          notes: { reference: input.reference, method: input.method },
        },
        schema: Order,
        ...callerKeys(input),
      });
      return {
        id: order.id,
        provider: 'razorpay',
        reference: input.reference,
        status: order.status === 'paid' ? 'captured' : 'requires_action',
        amountMinor: order.amount,
        currency: order.currency,
        clientSecret: order.id,
      };
    },

    async capture(raw) {
      const input = parseInput(CapturePaymentInputSchema, raw, 'razorpay', 'payments.capture');
      // Razorpay wants the amount; full capture means the authorised amount.
      const known =
        input.amountMinor !== undefined && input.currency !== undefined
          ? { amount: input.amountMinor, currency: input.currency }
          : await getPayment(input.paymentId, input.correlationId);
      const { amount, currency } = known;
      const payment = await client.json({
        operation: 'payments.capture',
        method: 'post',
        path: `/v1/payments/${segment(input.paymentId)}/capture`,
        json: { amount, currency },
        schema: Payment,
        idempotencyKey: input.idempotencyKey ?? `capture:${input.paymentId}`,
        ...correlation(input),
      });
      return toIntent(payment);
    },

    async refund(raw) {
      const input = parseInput(RefundInputSchema, raw, 'razorpay', 'payments.refund');
      const refund = await client.json({
        operation: 'payments.refund',
        method: 'post',
        path: `/v1/payments/${segment(input.paymentId)}/refund`,
        json: {
          ...(input.amountMinor ? { amount: input.amountMinor } : {}),
          speed: 'normal',
          ...(input.reason ? { notes: { reason: input.reason } } : {}),
        },
        schema: RefundBody,
        ...callerKeys(input),
      });
      return {
        id: refund.id,
        provider: 'razorpay',
        paymentId: refund.payment_id,
        amountMinor: refund.amount,
        currency: refund.currency,
        status:
          refund.status === 'processed'
            ? 'succeeded'
            : refund.status === 'failed'
              ? 'failed'
              : 'pending',
      };
    },

    async status(raw) {
      const input = parseInput(
        z.object({ paymentId: z.string().min(1), correlationId: z.string().optional() }),
        raw,
        'razorpay',
        'payments.status',
      );
      return toIntent(await getPayment(input.paymentId, input.correlationId));
    },

    async settlementReport(raw) {
      const input = parseInput(
        SettlementReportInputSchema,
        raw,
        'razorpay',
        'payments.settlementReport',
      );
      const from = Math.floor(Date.parse(input.from) / 1000);
      const to = Math.floor(Date.parse(input.to) / 1000) - 1;
      const collector = createSettlementCollector(input.maxLines);
      const page = 100;
      // Pages end on the provider's item count, not on the lines kept from them:
      // a page of failed payments yields no line yet may be followed by more.
      const pages = {
        payments: async (skip: number) => {
          const { items } = await client.json({
            operation: 'payments.settlementReport',
            path: '/v1/payments',
            searchParams: { from, to, count: page, skip },
            schema: Collection(Payment),
            ...correlation(input),
          });
          const kept = items
            .filter((p) => p.status === 'captured' || p.status === 'refunded')
            .map(
              (p): SettlementLine => ({
                id: p.id,
                type: 'charge',
                paymentId: p.id,
                grossMinor: p.amount,
                feeMinor: p.fee ?? 0,
                netMinor: p.amount - (p.fee ?? 0),
                currency: p.currency,
                occurredAt: new Date(p.created_at * 1000).toISOString(),
              }),
            );
          return { received: items.length, kept };
        },
        refunds: async (skip: number) => {
          const { items } = await client.json({
            operation: 'payments.settlementReport',
            path: '/v1/refunds',
            searchParams: { from, to, count: page, skip },
            schema: Collection(RefundBody),
            ...correlation(input),
          });
          const kept = items.map(
            (r): SettlementLine => ({
              id: r.id,
              type: 'refund',
              paymentId: r.payment_id,
              grossMinor: -r.amount,
              feeMinor: 0,
              netMinor: -r.amount,
              currency: r.currency,
              occurredAt: new Date((r.created_at ?? from) * 1000).toISOString(),
            }),
          );
          return { received: items.length, kept };
        },
      };
      for (const fetchPage of [pages.payments, pages.refunds]) {
        for (let skip = 0; ; skip += page) {
          const { received, kept } = await fetchPage(skip);
          if (!collector.addAll(kept, (line) => line) || received < page) break;
        }
        if (collector.truncated) break;
      }
      return collector.report('razorpay', input);
    },
  };
}
