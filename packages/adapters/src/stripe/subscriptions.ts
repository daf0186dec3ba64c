/**
 * `SubscriptionBilling` on Stripe Billing: `/v1/subscriptions` on the same
 * client as the gateway (form-encoded, `Idempotency-Key` on every write).
 * A subscription has one item, the plan's price; changing the plan swaps
 * that item's price, prorated as the account is set to. Stripe charges each
 * period itself; `readStripeSubscriptionEvent` reads what it reports
 * (`invoice.paid`, `invoice.payment_failed`, `customer.subscription.deleted`).
 */
import { z } from 'zod';
import { segment } from '../core/adapter-options.ts';
import { callerKeys, correlation } from '../core/call-keys.ts';
import type { ProviderClient } from '../core/client.ts';
import { ProviderError } from '../core/errors.ts';
import {
  CancelSubscriptionInputSchema,
  ChangeSubscriptionPlanInputSchema,
  CreateSubscriptionInputSchema,
  type GatewaySubscription,
  type GatewaySubscriptionStatus,
  plainCode,
  type SubscriptionBilling,
  type SubscriptionWebhookOutcome,
} from '../ports/subscriptions.ts';
import { parseInput } from '../ports/validate.ts';
import { createStripeClient, type StripeOptions } from './client.ts';

const StripeSubscription = z.object({
  id: z.string(),
  status: z.string(),
  cancel_at_period_end: z.boolean().nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
  items: z.object({
    data: z.array(z.object({ id: z.string(), price: z.object({ id: z.string() }) })).min(1),
  }),
});

const STATUS: Record<string, GatewaySubscriptionStatus> = {
  incomplete: 'pending',
  trialing: 'active',
  active: 'active',
  past_due: 'past_due',
  unpaid: 'halted',
  paused: 'halted',
  incomplete_expired: 'cancelled',
  canceled: 'cancelled',
};

const toSubscription = (sub: z.infer<typeof StripeSubscription>): GatewaySubscription => ({
  id: sub.id,
  provider: 'stripe',
  status: STATUS[sub.status] ?? 'pending',
  planId: sub.items.data[0]?.price.id ?? '',
  cancelAtPeriodEnd: sub.cancel_at_period_end ?? false,
  ...(sub.metadata?.reference ? { reference: sub.metadata.reference } : {}),
});

/**
 * Creates a Stripe-backed {@link SubscriptionBilling}.
 *
 * @example
 * const billing = createStripeSubscriptions({ secretKey: process.env.STRIPE_SECRET_KEY! });
 * const sub = await billing.create({ reference: 'sub_1', customerRef: 'cus_1', planId: 'price_1' });
 */
export function createStripeSubscriptions(options: StripeOptions): SubscriptionBilling {
  const client: ProviderClient = createStripeClient(options);
  const read = (id: string, meta: { correlationId?: string | undefined }) =>
    client.json({
      operation: 'subscriptions.get',
      path: `/v1/subscriptions/${segment(id)}`,
      schema: StripeSubscription,
      ...correlation(meta),
    });

  return {
    provider: 'stripe',

    async create(raw) {
      const operation = 'subscriptions.create';
      const input = parseInput(CreateSubscriptionInputSchema, raw, 'stripe', operation);
      if (!input.customerRef) {
        throw new ProviderError({
          code: 'invalid_request',
          provider: 'stripe',
          operation,
          fields: ['customerRef'],
          message: 'A Stripe subscription needs the Stripe customer (cus_…) in customerRef.',
        });
      }
      const sub = await client.json({
        operation,
        method: 'post',
        path: '/v1/subscriptions',
        form: {
          customer: input.customerRef,
          'items[0][price]': input.planId,
          'metadata[reference]': input.reference,
        },
        schema: StripeSubscription,
        ...callerKeys(input),
      });
      return toSubscription(sub);
    },

    async changePlan(raw) {
      const operation = 'subscriptions.changePlan';
      const input = parseInput(ChangeSubscriptionPlanInputSchema, raw, 'stripe', operation);
      const current = await read(input.subscriptionId, input);
      const item = current.items.data[0];
      if (item?.price.id === input.planId) return toSubscription(current);
      const sub = await client.json({
        operation,
        method: 'post',
        path: `/v1/subscriptions/${segment(input.subscriptionId)}`,
        form: { 'items[0][id]': item?.id, 'items[0][price]': input.planId },
        schema: StripeSubscription,
        ...callerKeys(input),
      });
      return toSubscription(sub);
    },

    async cancel(raw) {
      const operation = 'subscriptions.cancel';
      const input = parseInput(CancelSubscriptionInputSchema, raw, 'stripe', operation);
      const path = `/v1/subscriptions/${segment(input.subscriptionId)}`;
      const sub = input.atPeriodEnd
        ? await client.json({
            operation,
            method: 'post',
            path,
            form: { cancel_at_period_end: true },
            schema: StripeSubscription,
            ...callerKeys(input),
          })
        : await client.json({
            operation,
            method: 'delete',
            path,
            schema: StripeSubscription,
            ...callerKeys(input),
          });
      return toSubscription(sub);
    },
  };
}

const StripeInvoiceEvent = z.object({
  type: z.string(),
  data: z.object({
    object: z.object({
      id: z.string().min(1).max(255),
      // API versions before 2025-03 name it here; later ones under `parent`.
      subscription: z.string().min(1).max(255).nullish(),
      parent: z
        .object({
          subscription_details: z
            .object({ subscription: z.string().min(1).max(255).nullish() })
            .nullish(),
        })
        .nullish(),
      amount_paid: z.number().int().nonnegative().optional(),
      amount_due: z.number().int().nonnegative().optional(),
      currency: z.string().regex(/^[a-zA-Z]{3}$/),
      last_finalization_error: z.object({ code: z.string().optional() }).nullish(),
    }),
  }),
});

const StripeSubscriptionEvent = z.object({
  type: z.string(),
  data: z.object({ object: z.object({ id: z.string().min(1).max(255) }) }),
});

const invoiceEvents = {
  'invoice.paid': 'renewal_paid',
  'invoice.payment_failed': 'renewal_failed',
} as const;

/**
 * Reads a verified Stripe event about a subscription: `invoice.paid` (a
 * period paid, the first included), `invoice.payment_failed` and
 * `customer.subscription.deleted`. An invoice of no subscription, and every
 * other event, is `ignored`.
 *
 * @example
 * const outcome = readStripeSubscriptionEvent(JSON.parse(rawBody));
 * if (outcome.kind === 'renewal_paid') console.log(outcome.chargeId); // in_…
 */
export function readStripeSubscriptionEvent(payload: unknown): SubscriptionWebhookOutcome {
  const type = String((payload as { type?: unknown } | null)?.type ?? '').slice(0, 100);
  if (type === 'customer.subscription.deleted') {
    const parsed = StripeSubscriptionEvent.safeParse(payload);
    if (!parsed.success) return { kind: 'invalid', reason: 'the subscription has no valid id' };
    return { kind: 'cancelled', subscriptionId: parsed.data.data.object.id };
  }
  const kind = invoiceEvents[type as keyof typeof invoiceEvents];
  if (!kind) return { kind: 'ignored', type };
  const parsed = StripeInvoiceEvent.safeParse(payload);
  if (!parsed.success)
    return { kind: 'invalid', reason: 'the invoice has no valid id, amount and currency' };
  const invoice = parsed.data.data.object;
  const subscriptionId =
    invoice.subscription ?? invoice.parent?.subscription_details?.subscription ?? undefined;
  if (!subscriptionId) return { kind: 'ignored', type: `${type}:no_subscription` };
  const amount = kind === 'renewal_paid' ? invoice.amount_paid : invoice.amount_due;
  if (amount === undefined)
    return { kind: 'invalid', reason: 'the invoice has no valid id, amount and currency' };
  const charge = {
    subscriptionId,
    chargeId: invoice.id,
    amount: { amount, currency: invoice.currency.toUpperCase() },
  };
  if (kind === 'renewal_paid') return { kind, ...charge };
  return {
    kind,
    ...charge,
    failureCode: plainCode(invoice.last_finalization_error?.code, 'payment_failed'),
  };
}
