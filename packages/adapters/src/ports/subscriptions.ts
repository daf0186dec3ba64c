/**
 * The `SubscriptionBilling` port: recurring plans billed by a payment
 * processor. ClinicBridge creates, changes and cancels a subscription; the
 * processor charges each period itself and says so by webhook, which a
 * gateway's reader turns into a neutral {@link SubscriptionWebhookOutcome}.
 * Only opaque ids travel: the processor's customer and plan (or price) ids
 * and ClinicBridge's reference — never a name or clinical detail.
 */
import { z } from 'zod';
import { CallMetaSchema, ReferenceSchema } from './common.ts';

const ProviderId = z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'provider id');

/**
 * Input of {@link SubscriptionBilling.create}. `reference` is ClinicBridge's
 * subscription id; `customerRef` the processor's customer (Stripe requires
 * one, `cus_…`; Razorpay takes none and ignores it); `planId` the processor's price or plan.
 *
 * @example
 * CreateSubscriptionInputSchema.parse({ reference: 'sub_1', customerRef: 'cus_1', planId: 'price_1' });
 */
export const CreateSubscriptionInputSchema = CallMetaSchema.extend({
  reference: ReferenceSchema,
  customerRef: ProviderId.optional(),
  planId: ProviderId,
  /** Periods to bill before the subscription ends (Razorpay requires one; default 120). */
  totalCount: z.number().int().positive().max(1_000).default(120),
});

/**
 * Input of {@link SubscriptionBilling.changePlan}: the next periods bill `planId`.
 *
 * @example
 * ChangeSubscriptionPlanInputSchema.parse({ subscriptionId: 'sub_1', planId: 'price_2' });
 */
export const ChangeSubscriptionPlanInputSchema = CallMetaSchema.extend({
  subscriptionId: ProviderId,
  planId: ProviderId,
});

/**
 * Input of {@link SubscriptionBilling.cancel}: at the end of the paid period
 * (default) or now.
 *
 * @example
 * CancelSubscriptionInputSchema.parse({ subscriptionId: 'sub_1', atPeriodEnd: false });
 */
export const CancelSubscriptionInputSchema = CallMetaSchema.extend({
  subscriptionId: ProviderId,
  atPeriodEnd: z.boolean().default(true),
});

/**
 * Normalised state of a subscription across processors.
 *
 * @example
 * GatewaySubscriptionStatusSchema.parse('active');
 */
export const GatewaySubscriptionStatusSchema = z.enum([
  'pending',
  'active',
  'past_due',
  'halted',
  'cancelled',
]);

/**
 * A subscription at the processor.
 *
 * @example
 * const sub: GatewaySubscription = await billing.create(input);
 */
export const GatewaySubscriptionSchema = z.object({
  id: z.string(),
  provider: z.string(),
  reference: z.string().optional(),
  status: GatewaySubscriptionStatusSchema,
  planId: z.string(),
  /** True when the subscription ends with its current period. */
  cancelAtPeriodEnd: z.boolean(),
});

/** @example const input: CreateSubscriptionInput = { reference: 'sub_1', customerRef: 'cus_1', planId: 'price_1' }; */
export type CreateSubscriptionInput = z.input<typeof CreateSubscriptionInputSchema>;
/** @example const input: ChangeSubscriptionPlanInput = { subscriptionId: 'sub_1', planId: 'price_2' }; */
export type ChangeSubscriptionPlanInput = z.input<typeof ChangeSubscriptionPlanInputSchema>;
/** @example const input: CancelSubscriptionInput = { subscriptionId: 'sub_1' }; */
export type CancelSubscriptionInput = z.input<typeof CancelSubscriptionInputSchema>;
/** @example const status: GatewaySubscriptionStatus = 'past_due'; */
export type GatewaySubscriptionStatus = z.infer<typeof GatewaySubscriptionStatusSchema>;
/** @example const sub: GatewaySubscription = await billing.cancel({ subscriptionId: 'sub_1' }); */
export type GatewaySubscription = z.infer<typeof GatewaySubscriptionSchema>;

/**
 * A processor that bills recurring plans. Every method validates its input
 * (throwing `invalid_request` before calling the processor) and throws
 * `ProviderError` on failure. Writes carry an idempotency key; pass your own
 * so a repeated call (a retried request) is a no-op at the processor.
 *
 * @example
 * const sub = await billing.create({ reference: 'sub_1', customerRef: 'cus_1', planId: 'price_1', idempotencyKey: 'subscription:sub_1' });
 * await billing.cancel({ subscriptionId: sub.id, atPeriodEnd: true });
 */
export interface SubscriptionBilling {
  readonly provider: string;
  create(input: CreateSubscriptionInput): Promise<GatewaySubscription>;
  changePlan(input: ChangeSubscriptionPlanInput): Promise<GatewaySubscription>;
  cancel(input: CancelSubscriptionInput): Promise<GatewaySubscription>;
}

/**
 * What a processor's verified subscription webhook says, whichever
 * processor sent it: a period was paid (`renewal_paid`, the first period
 * included) or its charge failed (`renewal_failed`), with the processor's
 * id of that charge (`chargeId`: Stripe's invoice, Razorpay's payment) and
 * the amount; or the subscription ended (`cancelled`). Other events are
 * `ignored`, never an error.
 *
 * @example
 * const outcome: SubscriptionWebhookOutcome = { kind: 'cancelled', subscriptionId: 'sub_1' };
 */
export type SubscriptionWebhookOutcome =
  | {
      kind: 'renewal_paid';
      subscriptionId: string;
      chargeId: string;
      amount: { amount: number; currency: string };
    }
  | {
      kind: 'renewal_failed';
      subscriptionId: string;
      chargeId: string;
      /** Absent when the processor only says the subscription stopped (Razorpay `subscription.halted`). */
      amount?: { amount: number; currency: string };
      /** The processor's decline code of a failed charge (a code, never its message). */
      failureCode: string;
    }
  | { kind: 'cancelled'; subscriptionId: string }
  | { kind: 'ignored'; type: string }
  | { kind: 'invalid'; reason: string };

/**
 * A processor's code as a plain code (`card_declined`), else `fallback`.
 *
 * @example
 * plainCode('card_declined', 'payment_failed'); // 'card_declined'
 */
export const plainCode = (value: string | null | undefined, fallback: string): string =>
  value && /^[a-z0-9_]{1,64}$/.test(value) ? value : fallback;
