/**
 * What each provider's webhook does to the domain, run by the inbound
 * processor inside a transaction: a gateway's payment webhook (Stripe at
 * `payments`, Razorpay, iyzico) settles the checkout it names
 * (../checkout/settle.ts), and a Stripe or Razorpay subscription webhook
 * (a period paid or failed, the subscription ended) the subscription it
 * names (../subscriptions/settle.ts); a Stripe `payment_intent.succeeded` opened
 * outside checkouts records the payment (marking the invoice paid when
 * settled, and emitting `payment.received`); WhatsApp statuses update the notification and emit
 * `message.*`, and a consenting patient's own WhatsApp message emits `whatsapp.inbound`
 * (../conversations/inbound.ts); Standard Webhooks providers send catalogue events
 * (`{ type, tenantId, entityType, entityId, data }`) that are checked
 * against the catalogue and the provider's allowed types, then recorded;
 * the e-Fatura integrator's status webhook moves the e-invoice it names
 * (../einvoicing/inbound.ts); a visa webhook naming one of this server's
 * visa applications moves it (../visas/inbound.ts); an ABDM consent
 * callback records or moves the consent it names (../health-id/inbound.ts); HubSpot's
 * contact property changes update the attribution of the leads synced to those contacts
 * (../crm/inbound.ts).
 * A `PermanentInboundError` means retrying cannot help.
 */
import type {
  PaymentWebhookOutcome,
  RefundWebhookOutcome,
  SubscriptionWebhookOutcome,
} from '@clinicbridge/adapters';
import { readIyzicoPaymentEvent } from '@clinicbridge/adapters/iyzico';
import {
  readRazorpayPaymentEvent,
  readRazorpayRefundEvent,
  readRazorpaySubscriptionEvent,
} from '@clinicbridge/adapters/razorpay';
import {
  readStripeGatewayEvent,
  readStripePaymentEvent,
  readStripeRefundEvent,
  readStripeSubscriptionEvent,
} from '@clinicbridge/adapters/stripe';
import { readWhatsAppStatuses } from '@clinicbridge/adapters/whatsapp';
import type { EventType } from '@clinicbridge/sdk/contract';
import type { Kysely } from 'kysely';
import { settleCheckoutRefund } from '../checkout/refund-settle.ts';
import { settleCheckout } from '../checkout/settle.ts';
import { recordInboundMessages } from '../conversations/inbound.ts';
import { handleHubSpotWebhook } from '../crm/inbound.ts';
import type { DB } from '../db/schema.ts';
import { handleEFaturaWebhook } from '../einvoicing/inbound.ts';
import { handleAbdmCallback } from '../health-id/inbound.ts';
import type { ChangeContext } from '../kernel/change.ts';
import { recordEvent } from '../kernel/outbox.ts';
import { isApiError } from '../kernel/problem.ts';
import { recordPayment } from '../payments/service.ts';
import { settleSubscription } from '../subscriptions/settle.ts';
import { applyVisaWebhook } from '../visas/inbound.ts';
import type { ProviderName } from './providers.ts';

/**
 * A webhook that can never be processed (unknown tenant, invalid data);
 * it is marked failed with this message instead of being retried.
 *
 * @example
 * throw new PermanentInboundError('the payment names no invoice (metadata.invoiceId)');
 */
export class PermanentInboundError extends Error {
  override readonly name = 'PermanentInboundError';
}

/**
 * The result of handling: what was done, for the row's `reason`.
 *
 * @example
 * const reason = await inboundHandlers.payments(trx, payload, new Date());
 */
export type InboundHandler = (
  trx: Kysely<DB>,
  payload: Record<string, unknown>,
  now: Date,
) => Promise<string>;

type GatewayProvider = 'payments' | 'razorpay' | 'iyzico';

const allowedTypes: Record<
  Exclude<ProviderName, GatewayProvider | 'whatsapp' | 'efatura' | 'abdm' | 'hubspot'>,
  readonly EventType[]
> = {
  visa: ['visa.status_changed', 'visa.granted', 'visa.rejected'],
  travel: ['booking.confirmed', 'flight.changed', 'flight.cancelled'],
  hotels: ['booking.confirmed', 'stay.confirmed', 'stay.unavailable'],
  comms: ['message.delivered', 'message.read', 'message.failed'],
  insurance: ['claim.submitted', 'claim.approved', 'claim.denied', 'claim.settled'],
};

async function requireTenant(trx: Kysely<DB>, tenantId: unknown): Promise<string> {
  if (typeof tenantId !== 'string' || tenantId.length > 100) {
    throw new PermanentInboundError('the webhook names no tenant');
  }
  const tenant = await trx
    .selectFrom('tenants')
    .select('id')
    .where('id', '=', tenantId)
    .executeTakeFirst();
  if (!tenant) throw new PermanentInboundError('the webhook names an unknown tenant');
  return tenant.id;
}

const systemChange = (tenantId: string, now: Date): ChangeContext => ({
  tenantId,
  actor: { type: 'system', id: 'inbound-webhooks' },
  requestId: null,
  now,
});

/**
 * Settles the checkout a gateway's webhook is about. Resolves to null when
 * no checkout has its reference; a webhook the checkout cannot take (another
 * amount) or the payment service refuses (over the balance) is permanent.
 */
async function settleGatewayWebhook(
  trx: Kysely<DB>,
  gateway: 'stripe' | 'razorpay' | 'iyzico',
  outcome: PaymentWebhookOutcome,
  now: Date,
): Promise<string | null> {
  if (outcome.kind === 'ignored') return `event type ${outcome.type.slice(0, 60)} is not used`;
  if (outcome.kind === 'invalid') throw new PermanentInboundError(outcome.reason);
  try {
    return await settleCheckout(trx, gateway, outcome, now);
  } catch (error) {
    if (error instanceof Error && error.name === 'CheckoutMismatchError')
      throw new PermanentInboundError(error.message);
    if (isApiError(error) && error.status < 500) throw new PermanentInboundError(error.message);
    throw error;
  }
}

/**
 * Finishes the checkout refund a gateway's refund webhook names; undefined
 * when the webhook is not about a finished refund (a payment, or a refund
 * still pending), so the payment readers look at it next.
 */
async function finishGatewayRefund(
  trx: Kysely<DB>,
  gateway: 'stripe' | 'razorpay',
  outcome: RefundWebhookOutcome,
  now: Date,
): Promise<string | undefined> {
  if (outcome.kind === 'ignored') return undefined;
  if (outcome.kind === 'invalid') throw new PermanentInboundError(outcome.reason);
  const done = await settleCheckoutRefund(trx, gateway, outcome, now);
  return done ?? `the ${gateway} refund is not a checkout refund of this server`;
}

/**
 * Applies a gateway's subscription webhook (a period paid or failed, the
 * subscription ended) to the subscription it names; undefined when the
 * webhook is not about a subscription, so the other readers look at it next.
 */
async function settleSubscriptionWebhook(
  trx: Kysely<DB>,
  gateway: 'stripe' | 'razorpay',
  outcome: SubscriptionWebhookOutcome,
  now: Date,
): Promise<string | undefined> {
  if (outcome.kind === 'ignored') return undefined;
  if (outcome.kind === 'invalid') throw new PermanentInboundError(outcome.reason);
  try {
    const done = await settleSubscription(trx, gateway, outcome, now);
    if (done === null)
      throw new PermanentInboundError(
        `the ${gateway} webhook names no subscription of this server`,
      );
    return done;
  } catch (error) {
    if (error instanceof Error && error.name === 'SubscriptionMismatchError')
      throw new PermanentInboundError(error.message);
    throw error;
  }
}

function gatewayHandler(
  gateway: 'razorpay' | 'iyzico',
  read: (payload: unknown) => PaymentWebhookOutcome,
  readRefund?: (payload: unknown) => RefundWebhookOutcome,
): InboundHandler {
  return async (trx, payload, now) => {
    if (gateway === 'razorpay') {
      const outcome = readRazorpaySubscriptionEvent(payload);
      const subscribed = await settleSubscriptionWebhook(trx, gateway, outcome, now);
      if (subscribed !== undefined) return subscribed;
    }
    if (readRefund && gateway === 'razorpay') {
      const refunded = await finishGatewayRefund(trx, gateway, readRefund(payload), now);
      if (refunded !== undefined) return refunded;
    }
    const settled = await settleGatewayWebhook(trx, gateway, read(payload), now);
    if (settled === null)
      throw new PermanentInboundError(`the ${gateway} webhook names no checkout of this server`);
    return settled;
  };
}

const handlePayments: InboundHandler = async (trx, payload, now) => {
  const subscribed = await settleSubscriptionWebhook(
    trx,
    'stripe',
    readStripeSubscriptionEvent(payload),
    now,
  );
  if (subscribed !== undefined) return subscribed;
  const refunded = await finishGatewayRefund(trx, 'stripe', readStripeRefundEvent(payload), now);
  if (refunded !== undefined) return refunded;
  // A PaymentIntent opened by a checkout settles the checkout; any other is recorded as before.
  const settled = await settleGatewayWebhook(trx, 'stripe', readStripeGatewayEvent(payload), now);
  if (settled !== null) return settled;
  const outcome = readStripePaymentEvent(payload);
  if (outcome.kind === 'ignored') return `event type ${outcome.type.slice(0, 60)} is not used`;
  if (outcome.kind === 'invalid') throw new PermanentInboundError(outcome.reason);
  const tenantId = await requireTenant(trx, outcome.metadata.tenantId);
  const { amount } = outcome;
  const invoiceId = outcome.metadata.invoiceId ?? null;
  const externalRef = outcome.intentId;
  if (outcome.kind === 'failed' || outcome.kind === 'cancelled') {
    await recordEvent(trx, {
      tenantId,
      type: 'payment.failed',
      entityType: 'invoice',
      entityId: invoiceId ?? externalRef,
      data: {
        invoiceId: invoiceId as `inv_${string}` | null,
        amount,
        failureCode:
          outcome.failureCode ?? (outcome.kind === 'cancelled' ? 'canceled' : 'payment_failed'),
        externalRef,
      },
      occurredAt: now,
    });
    return 'payment.failed recorded';
  }
  if (!invoiceId)
    throw new PermanentInboundError('the payment names no invoice (metadata.invoiceId)');
  try {
    const payment = await recordPayment(trx, systemChange(tenantId, now), {
      invoiceId,
      amount,
      method: 'card',
      source: 'stripe',
      externalRef,
    });
    return `payment ${payment.id} recorded`;
  } catch (error) {
    // A 4xx from the payment service (unknown invoice, over the balance) will not change on retry.
    if (isApiError(error) && error.status < 500) throw new PermanentInboundError(error.message);
    throw error;
  }
};

const whatsappStatuses = {
  delivered: 'message.delivered',
  read: 'message.read',
  failed: 'message.failed',
} as const;

async function updateMessageStatus(
  trx: Kysely<DB>,
  providerMessageId: string,
  status: keyof typeof whatsappStatuses,
  now: Date,
  errorCode: string | undefined,
): Promise<boolean> {
  const intent = await trx
    .updateTable('notification_intents')
    .set({ status, updated_at: now })
    .where('provider_message_id', '=', providerMessageId)
    .returning(['id', 'tenant_id', 'patient_id'])
    .executeTakeFirst();
  if (!intent) return false;
  await recordEvent(trx, {
    tenantId: intent.tenant_id,
    type: whatsappStatuses[status],
    entityType: 'message',
    entityId: intent.id,
    data: {
      messageId: intent.id,
      channel: 'whatsapp',
      providerMessageId,
      ...(intent.patient_id ? { patientId: intent.patient_id as `pat_${string}` } : {}),
      ...(errorCode ? { errorCode } : {}),
    },
    occurredAt: now,
  });
  return true;
}

const handleWhatsapp: InboundHandler = async (trx, payload, now) => {
  let updated = 0;
  let unknown = 0;
  for (const update of readWhatsAppStatuses(payload)) {
    const found = await updateMessageStatus(
      trx,
      update.providerMessageId,
      update.status,
      now,
      update.errorCode,
    );
    if (found) updated++;
    else unknown++;
  }
  const statuses = `${updated} message status(es) applied, ${unknown} for unknown messages`;
  // The patients' own messages, for the orchestration that answers them (../conversations).
  const inbound = await recordInboundMessages(trx, payload, now);
  return inbound === null ? statuses : `${statuses}; ${inbound}`;
};

function standardHandler(provider: keyof typeof allowedTypes): InboundHandler {
  return async (trx, payload, now) => {
    const type = payload.type;
    const allowed = allowedTypes[provider];
    if (typeof type !== 'string' || !(allowed as readonly string[]).includes(type)) {
      throw new PermanentInboundError(
        `${provider} may send ${allowed.join(', ')}; got ${typeof type === 'string' ? type.slice(0, 60) : 'no type'}`,
      );
    }
    const tenantId = await requireTenant(trx, payload.tenantId);
    const data = payload.data;
    if (data === null || typeof data !== 'object')
      throw new PermanentInboundError('the webhook has no data object');
    if (provider === 'visa') {
      // A webhook about one of this server's visa applications moves it (and records its event).
      const applied = await applyVisaWebhook(
        trx,
        tenantId,
        type as 'visa.status_changed' | 'visa.granted' | 'visa.rejected',
        payload,
        now,
      );
      if (applied !== undefined) return applied;
    }
    if (provider === 'comms') {
      const d = data as { providerMessageId?: unknown };
      const status = type.slice('message.'.length) as keyof typeof whatsappStatuses;
      if (typeof d.providerMessageId === 'string') {
        await trx
          .updateTable('notification_intents')
          .set({ status, updated_at: now })
          .where('tenant_id', '=', tenantId)
          .where('provider_message_id', '=', d.providerMessageId)
          .execute();
      }
    }
    const entityId =
      typeof payload.entityId === 'string'
        ? payload.entityId.slice(0, 100)
        : String(Object.values(data as Record<string, unknown>)[0] ?? 'unknown').slice(0, 100);
    const entityType =
      typeof payload.entityType === 'string' ? payload.entityType.slice(0, 60) : provider;
    if (provider !== 'comms') {
      // Advance the provider's entity (the visa case, the booking, the claim).
      const given = (data as { status?: unknown }).status;
      const status =
        typeof given === 'string' ? given.slice(0, 40) : type.slice(type.indexOf('.') + 1);
      await trx
        .insertInto('provider_entities')
        .values({
          tenant_id: tenantId,
          provider,
          entity_type: entityType,
          entity_id: entityId,
          status,
          last_event_type: type,
          updated_at: now,
        })
        .onConflict((oc) =>
          oc
            .columns(['tenant_id', 'entity_type', 'entity_id'])
            .doUpdateSet({ status, last_event_type: type, updated_at: now }),
        )
        .execute();
    }
    try {
      await recordEvent(trx, {
        tenantId,
        type: type as EventType,
        entityType,
        entityId,
        data: data as never,
        occurredAt: now,
      });
    } catch (error) {
      if (error instanceof Error && error.name === 'InvalidEventError')
        throw new PermanentInboundError(error.message);
      throw error;
    }
    return `${type} recorded`;
  };
}

/**
 * The handler of each provider.
 *
 * @example
 * const reason = await inboundHandlers.visa(trx, payload, new Date());
 */
export const inboundHandlers: Readonly<Record<ProviderName, InboundHandler>> = {
  payments: handlePayments,
  whatsapp: handleWhatsapp,
  visa: standardHandler('visa'),
  travel: standardHandler('travel'),
  hotels: standardHandler('hotels'),
  comms: standardHandler('comms'),
  efatura: handleEFaturaWebhook,
  insurance: standardHandler('insurance'),
  razorpay: gatewayHandler('razorpay', readRazorpayPaymentEvent, readRazorpayRefundEvent),
  iyzico: gatewayHandler('iyzico', readIyzicoPaymentEvent),
  abdm: handleAbdmCallback,
  hubspot: handleHubSpotWebhook,
};
