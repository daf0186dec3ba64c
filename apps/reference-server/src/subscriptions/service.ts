/**
 * Subscriptions through a gateway's `SubscriptionBilling`: start one for a
 * patient, change its plan, cancel it at the period's end or now. The
 * gateway is called inside the request's transaction with a key naming the
 * change (the subscription id; its plan change; its cancellation), so a
 * retried request repeats nothing at the gateway. Periods are charged by
 * the gateway and arrive by webhook (`./settle.ts`).
 */
import {
  isProviderError,
  type ProviderError,
  type SubscriptionBilling,
} from '@clinicbridge/adapters';
import { newId, type operations, type Page, type Subscription } from '@clinicbridge/sdk/contract';
import type { Kysely } from 'kysely';
import type * as z from 'zod/mini';
import type { DB, Row } from '../db/schema.ts';
import type { ChangeContext } from '../kernel/change.ts';
import { listPage } from '../kernel/list.ts';
import { ApiError } from '../kernel/problem.ts';
import { recordChange } from '../kernel/record-change.ts';
import { requireOwned } from '../kernel/require-owned.ts';
import type { PaymentProviders } from '../providers/payments.ts';

/**
 * The configured subscription billers by gateway, read when a request runs.
 *
 * @example
 * const billers: Billers = () => context.providers.subscriptionBilling ?? {};
 */
export type Billers = () => NonNullable<PaymentProviders['subscriptionBilling']>;

type CreateBody = z.output<typeof operations.subscriptions.create.body>;
type ChangePlanBody = z.output<typeof operations.subscriptions.changePlan.body>;
type CancelBody = z.output<typeof operations.subscriptions.cancel.body>;

/**
 * The public view of a subscription row.
 *
 * @example
 * toSubscription(row).status; // 'active'
 */
export function toSubscription(row: Row<'subscriptions'>): Subscription {
  return {
    id: row.id as `sbs_${string}`,
    patientId: row.patient_id as `pat_${string}`,
    gateway: row.gateway,
    planId: row.plan_id,
    amount: { amount: Number(row.amount), currency: row.currency },
    interval: row.billing_interval,
    status: row.status,
    cancelAtPeriodEnd: row.cancel_at_period_end,
    providerRef: row.provider_ref,
    periodsPaid: row.periods_paid,
    failureCode: row.failure_code,
    cancelledAt: row.cancelled_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/**
 * A subscription row of the tenant (locked when asked), or 404.
 *
 * @example
 * await requireSubscription(db, tenantId, 'sbs_…', { lock: true });
 */
export async function requireSubscription(
  db: Kysely<DB>,
  tenantId: string,
  id: string,
  options: { lock?: boolean } = {},
): Promise<Row<'subscriptions'>> {
  return requireOwned(db, 'subscriptions', tenantId, id, options);
}

function requireBiller(billers: Billers, name: Subscription['gateway']): SubscriptionBilling {
  const biller = billers()[name];
  if (!biller) {
    throw new ApiError(
      'unprocessable',
      `The ${name} gateway is not configured on this server; use another gateway or configure it.`,
    );
  }
  return biller;
}

/** A refusal by the gateway is the caller's to fix; anything else may pass on retry. */
function gatewayError(error: ProviderError, action: string): ApiError {
  if (error.code === 'rejected' || error.code === 'invalid_request' || error.code === 'not_found') {
    return new ApiError(
      'unprocessable',
      `The ${error.provider} gateway refused to ${action} (${error.code}).`,
    );
  }
  return new ApiError(
    'service_unavailable',
    `The ${error.provider} gateway could not be reached (${error.code}); retry later.`,
  );
}

async function atGateway<T>(action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isProviderError(error)) throw gatewayError(error, action);
    throw error;
  }
}

function requireOpen(row: Row<'subscriptions'>): void {
  if (row.status === 'cancelled') {
    throw new ApiError(
      'invalid_state_transition',
      `The subscription is cancelled; start a new one instead.`,
    );
  }
}

const correlation = (change: ChangeContext) =>
  change.requestId ? { correlationId: change.requestId } : {};

/**
 * Starts a patient's subscription at the gateway.
 *
 * @example
 * await createSubscription(trx, change, billers, { patientId, gateway: 'stripe', planId: 'price_1', customerRef: 'cus_1', amount, interval: 'month' });
 */
export async function createSubscription(
  db: Kysely<DB>,
  change: ChangeContext,
  billers: Billers,
  body: CreateBody,
): Promise<Subscription> {
  const patient = await requireOwned(db, 'patients', change.tenantId, body.patientId);
  const biller = requireBiller(billers, body.gateway);
  if (body.gateway === 'stripe' && !body.customerRef) {
    throw new ApiError('unprocessable', 'A stripe subscription needs customerRef (the cus_… id).');
  }
  const id = newId('sbs');
  const created = await atGateway('start the subscription', () =>
    biller.create({
      reference: id,
      planId: body.planId,
      ...(body.customerRef ? { customerRef: body.customerRef } : {}),
      idempotencyKey: `subscription:${id}`,
      ...correlation(change),
    }),
  );
  const row: Row<'subscriptions'> = {
    id,
    tenant_id: change.tenantId,
    patient_id: patient.id,
    gateway: body.gateway,
    plan_id: body.planId,
    customer_ref: body.customerRef ?? null,
    amount: body.amount.amount,
    currency: body.amount.currency,
    billing_interval: body.interval,
    status: 'active',
    cancel_at_period_end: false,
    provider_ref: created.id,
    periods_paid: 0,
    failure_code: null,
    cancelled_at: null,
    created_at: change.now,
    updated_at: change.now,
  };
  await db.insertInto('subscriptions').values(row).execute();
  const subscription = toSubscription(row);
  await recordChange(db, change, {
    action: 'subscription.created',
    entityType: 'subscription',
    entityId: id,
    audit: {
      gateway: row.gateway,
      planId: row.plan_id,
      amount: row.amount,
      currency: row.currency,
    },
    event: {
      type: 'subscription.created',
      data: {
        subscriptionId: subscription.id,
        patientId: subscription.patientId,
        gateway: subscription.gateway,
        planId: subscription.planId,
        amount: subscription.amount,
        interval: subscription.interval,
      },
    },
  });
  return subscription;
}

/**
 * Moves a subscription to another plan (same currency) from its next period.
 *
 * @example
 * await changeSubscriptionPlan(trx, change, billers, 'sbs_…', { planId: 'price_2', amount });
 */
export async function changeSubscriptionPlan(
  db: Kysely<DB>,
  change: ChangeContext,
  billers: Billers,
  id: string,
  body: ChangePlanBody,
): Promise<Subscription> {
  const row = await requireSubscription(db, change.tenantId, id, { lock: true });
  requireOpen(row);
  if (body.amount.currency !== row.currency) {
    throw new ApiError(
      'currency_mismatch',
      `The subscription bills in ${row.currency}; keep that currency.`,
    );
  }
  const biller = requireBiller(billers, row.gateway);
  await atGateway('change the plan', () =>
    biller.changePlan({
      subscriptionId: row.provider_ref,
      planId: body.planId,
      // The row's version names this change: a retry after a rollback repeats it, a later change is new.
      idempotencyKey: `subscription:${row.id}:plan:${body.planId}:${row.updated_at.getTime()}`,
      ...correlation(change),
    }),
  );
  const updated = await db
    .updateTable('subscriptions')
    .set({ plan_id: body.planId, amount: body.amount.amount, updated_at: change.now })
    .where('id', '=', row.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordChange(db, change, {
    action: 'subscription.plan_changed',
    entityType: 'subscription',
    entityId: row.id,
    audit: { from: row.plan_id, to: body.planId, amount: body.amount.amount },
  });
  return toSubscription(updated);
}

/**
 * Cancels a subscription at the gateway: at the end of its period (it stays
 * active until the gateway ends it) or now (`subscription.cancelled`).
 *
 * @example
 * await cancelSubscription(trx, change, billers, 'sbs_…', { atPeriodEnd: false });
 */
export async function cancelSubscription(
  db: Kysely<DB>,
  change: ChangeContext,
  billers: Billers,
  id: string,
  body: CancelBody,
): Promise<Subscription> {
  const row = await requireSubscription(db, change.tenantId, id, { lock: true });
  requireOpen(row);
  const atPeriodEnd = body.atPeriodEnd ?? true;
  const biller = requireBiller(billers, row.gateway);
  await atGateway('cancel the subscription', () =>
    biller.cancel({
      subscriptionId: row.provider_ref,
      atPeriodEnd,
      idempotencyKey: `subscription:${row.id}:cancel:${atPeriodEnd ? 'period_end' : 'now'}`,
      ...correlation(change),
    }),
  );
  const updated = await db
    .updateTable('subscriptions')
    .set(
      atPeriodEnd
        ? { cancel_at_period_end: true, updated_at: change.now }
        : { status: 'cancelled', cancelled_at: change.now, updated_at: change.now },
    )
    .where('id', '=', row.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordChange(db, change, {
    action: 'subscription.cancel_requested',
    entityType: 'subscription',
    entityId: row.id,
    audit: { atPeriodEnd },
    ...(atPeriodEnd
      ? {}
      : {
          event: {
            type: 'subscription.cancelled' as const,
            data: {
              subscriptionId: row.id as `sbs_${string}`,
              gateway: row.gateway,
              cancelledBy: 'requested' as const,
            },
          },
        }),
  });
  return toSubscription(updated);
}

/**
 * Lists subscriptions, optionally of one patient.
 *
 * @example
 * await listSubscriptions(db, tenantId, { patientId: 'pat_…' });
 */
export function listSubscriptions(
  db: Kysely<DB>,
  tenantId: string,
  query: {
    limit?: number | undefined;
    cursor?: string | undefined;
    patientId?: string | undefined;
  },
): Promise<Page<Subscription>> {
  return listPage(
    db,
    'subscriptions',
    tenantId,
    query,
    [query.patientId !== undefined && ['patient_id', '=', query.patientId]],
    toSubscription,
  );
}
