/**
 * The `PaymentGateway` port: what ClinicBridge needs from any card/UPI/bank
 * processor, in minor units. Stripe, Iyzico and Razorpay implement it; the
 * shared conformance suite in `../testing` holds them to the same behaviour.
 */
import { z } from 'zod';
import { CallMetaSchema, CurrencySchema, MinorUnitsSchema, ReferenceSchema } from './common.ts';

/**
 * How the patient pays.
 *
 * @example
 * PaymentMethodSchema.parse('upi');
 */
export const PaymentMethodSchema = z.enum(['card', 'upi', 'bank_transfer']);

/**
 * Normalised lifecycle of a payment across providers.
 *
 * @example
 * PaymentStatusSchema.parse('authorized');
 */
export const PaymentStatusSchema = z.enum([
  'requires_action',
  'processing',
  'authorized',
  'captured',
  'partially_refunded',
  'refunded',
  'failed',
  'canceled',
]);

/**
 * Input of {@link PaymentGateway.createIntent}. `reference` is ClinicBridge's
 * payment id; it is the only identifier sent to the provider.
 *
 * @example
 * CreatePaymentInputSchema.parse({ reference: 'pay_1', amountMinor: 125000, currency: 'EUR', method: 'card' });
 */
export const CreatePaymentInputSchema = CallMetaSchema.extend({
  reference: ReferenceSchema,
  amountMinor: MinorUnitsSchema,
  currency: CurrencySchema,
  method: PaymentMethodSchema,
  /** `manual` authorises now and captures later (deposits); `automatic` captures at once. */
  captureMethod: z.enum(['manual', 'automatic']).default('manual'),
  /** Shown on statements; must not contain clinical detail. */
  statementDescriptor: z.string().max(22).optional(),
  /** Where a redirect-based checkout returns to (Iyzico). */
  returnUrl: z.url().optional(),
});

/**
 * A payment at the provider.
 *
 * @example
 * const intent: PaymentIntent = await gateway.createIntent(input);
 */
export const PaymentIntentSchema = z.object({
  id: z.string(),
  provider: z.string(),
  reference: z.string().optional(),
  status: PaymentStatusSchema,
  amountMinor: z.number().int(),
  currency: CurrencySchema,
  /** Handed to the payer's browser/app to complete the payment (Stripe client secret, Razorpay order id). */
  clientSecret: z.string().optional(),
  /** Hosted payment page, when the provider uses one. */
  redirectUrl: z.string().optional(),
});

/**
 * Full capture of an authorised payment (partial capture is not supported).
 *
 * @example
 * CapturePaymentInputSchema.parse({ paymentId: 'pi_1' });
 */
export const CapturePaymentInputSchema = CallMetaSchema.extend({
  paymentId: z.string().min(1),
  /** Providers that need the amount to capture (Razorpay, Iyzico) get the full authorised amount. */
  amountMinor: MinorUnitsSchema.optional(),
  currency: CurrencySchema.optional(),
});

/**
 * Refund input; omit `amountMinor` for a full refund.
 *
 * @example
 * RefundInputSchema.parse({ paymentId: 'pi_1', amountMinor: 5000, currency: 'EUR' });
 */
export const RefundInputSchema = CallMetaSchema.extend({
  paymentId: z.string().min(1),
  amountMinor: MinorUnitsSchema.optional(),
  currency: CurrencySchema.optional(),
  reason: z
    .enum(['requested_by_customer', 'duplicate', 'fraudulent', 'treatment_cancelled'])
    .optional(),
});

/**
 * A refund at the provider.
 *
 * @example
 * const refund: Refund = await gateway.refund({ paymentId: 'pi_1' });
 */
export const RefundSchema = z.object({
  id: z.string(),
  provider: z.string(),
  paymentId: z.string(),
  amountMinor: z.number().int(),
  currency: CurrencySchema,
  status: z.enum(['pending', 'succeeded', 'failed']),
});

/**
 * Period of a settlement report, ISO date-times, `to` exclusive.
 *
 * @example
 * SettlementReportInputSchema.parse({ from: '2026-11-01T00:00:00Z', to: '2026-11-02T00:00:00Z' });
 */
export const SettlementReportInputSchema = CallMetaSchema.extend({
  from: z.iso.datetime({ offset: true }),
  to: z.iso.datetime({ offset: true }),
  /** Bound on lines fetched, across pages. Default 1,000. */
  maxLines: z.number().int().positive().max(10_000).default(1_000),
});

/**
 * One movement of money at the provider: gross, fee and net in minor units.
 *
 * @example
 * const line: SettlementLine = report.lines[0]!;
 */
export const SettlementLineSchema = z.object({
  id: z.string(),
  type: z.enum(['charge', 'refund', 'fee', 'payout', 'transfer', 'adjustment', 'other']),
  paymentId: z.string().optional(),
  grossMinor: z.number().int(),
  feeMinor: z.number().int(),
  netMinor: z.number().int(),
  currency: CurrencySchema,
  occurredAt: z.iso.datetime(),
  settlementId: z.string().optional(),
});

/**
 * Settlement lines of a period, for reconciliation with the ledger.
 *
 * @example
 * const report: SettlementReport = await gateway.settlementReport({ from, to });
 */
export const SettlementReportSchema = z.object({
  provider: z.string(),
  from: z.string(),
  to: z.string(),
  lines: z.array(SettlementLineSchema),
  /** True when `maxLines` cut the report short. */
  truncated: z.boolean(),
});

/** @example const method: PaymentMethod = 'card'; */
export type PaymentMethod = z.infer<typeof PaymentMethodSchema>;
/** @example const status: PaymentStatus = 'captured'; */
export type PaymentStatus = z.infer<typeof PaymentStatusSchema>;
/** @example const input: CreatePaymentInput = { reference: 'pay_1', amountMinor: 100, currency: 'EUR', method: 'card' }; */
export type CreatePaymentInput = z.input<typeof CreatePaymentInputSchema>;
/** @example const intent: PaymentIntent = await gateway.status({ paymentId: 'pi_1' }); */
export type PaymentIntent = z.infer<typeof PaymentIntentSchema>;
/** @example const input: CapturePaymentInput = { paymentId: 'pi_1' }; */
export type CapturePaymentInput = z.input<typeof CapturePaymentInputSchema>;
/** @example const input: RefundInput = { paymentId: 'pi_1' }; */
export type RefundInput = z.input<typeof RefundInputSchema>;
/** @example const refund: Refund = await gateway.refund({ paymentId: 'pi_1' }); */
export type Refund = z.infer<typeof RefundSchema>;
/** @example const input: SettlementReportInput = { from: '2026-11-01T00:00:00Z', to: '2026-11-02T00:00:00Z' }; */
export type SettlementReportInput = z.input<typeof SettlementReportInputSchema>;
/** @example const line: SettlementLine = report.lines[0]!; */
export type SettlementLine = z.infer<typeof SettlementLineSchema>;
/** @example const report: SettlementReport = await gateway.settlementReport({ from, to }); */
export type SettlementReport = z.infer<typeof SettlementReportSchema>;

/**
 * A payment processor. Every method validates its input (throwing
 * `invalid_request` before calling the provider) and throws `ProviderError`
 * on failure. Writes carry an idempotency key; pass your own to make a
 * repeated call (after a crash, a redelivery) a no-op at the provider.
 *
 * @example
 * const intent = await gateway.createIntent({ reference: 'pay_1', amountMinor: 125000, currency: 'EUR', method: 'card' });
 * await gateway.capture({ paymentId: intent.id });
 */
export interface PaymentGateway {
  readonly provider: string;
  createIntent(input: CreatePaymentInput): Promise<PaymentIntent>;
  capture(input: CapturePaymentInput): Promise<PaymentIntent>;
  refund(input: RefundInput): Promise<Refund>;
  status(input: { paymentId: string; correlationId?: string }): Promise<PaymentIntent>;
  settlementReport(input: SettlementReportInput): Promise<SettlementReport>;
}

/**
 * What a gateway's verified payment webhook says, whichever gateway sent it:
 * the payment attempt it is about (`providerRef`: the PaymentIntent, order
 * or checkout-form token the intent was created as), the gateway's payment
 * id, and the amount when the gateway sends one. Events ClinicBridge does
 * not use are `ignored`, never an error.
 *
 * @example
 * const outcome: PaymentWebhookOutcome = { kind: 'ignored', type: 'order.notified' };
 */
export type PaymentWebhookOutcome =
  | {
      kind: 'succeeded' | 'failed' | 'cancelled';
      providerRef: string;
      providerPaymentId: string;
      amount?: { amount: number; currency: string };
      /** The gateway's decline code (a code, never its message). */
      failureCode?: string;
    }
  | { kind: 'ignored'; type: string }
  | { kind: 'invalid'; reason: string };

/**
 * What a gateway's verified refund webhook says: a refund the gateway
 * answered as pending when it was asked is now done (`refund_succeeded`)
 * or did not go through (`refund_failed`). A refund still pending, and
 * every other event, is `ignored`.
 *
 * @example
 * const outcome: RefundWebhookOutcome = { kind: 'refund_succeeded', providerRefundId: 're_1', providerPaymentId: 'pi_1', amount: { amount: 500, currency: 'EUR' } };
 */
export type RefundWebhookOutcome =
  | {
      kind: 'refund_succeeded' | 'refund_failed';
      providerRefundId: string;
      providerPaymentId: string;
      amount: { amount: number; currency: string };
    }
  | { kind: 'ignored'; type: string }
  | { kind: 'invalid'; reason: string };
