/**
 * Subscriptions in the fake API, with the reference server's checks: the
 * patient exists, Stripe needs the gateway's customer, a plan change keeps
 * the currency, a cancelled subscription changes no more. There is no
 * gateway here: a subscription is `active` with an opaque gateway id, and
 * no period is ever charged (the server learns of charges by webhook).
 */
import { newId, type Subscription, subscriptionOperations } from '../../../contract/index.ts';
import { type BoundHandler, defineHandler } from '../context.ts';
import { filterRows, findOr404 } from '../lookup.ts';
import { paginate } from '../pagination.ts';
import { ApiProblem } from '../problem.ts';

function requireOpen(subscription: Subscription): void {
  if (subscription.status === 'cancelled') {
    throw new ApiProblem(
      'invalid_state_transition',
      `the subscription is cancelled; start a new one instead`,
    );
  }
}

/**
 * Handlers of the subscription operations.
 *
 * @example
 * const byId = new Map(subscriptionHandlers.map((h) => [h.op.id, h]));
 */
export const subscriptionHandlers: BoundHandler[] = [
  defineHandler(subscriptionOperations.create, (ctx) => {
    const b = ctx.body;
    const patient = findOr404(ctx.tenant.patients, b.patientId, 'patient');
    if (b.gateway === 'stripe' && !b.customerRef) {
      throw new ApiProblem('unprocessable', 'a stripe subscription needs customerRef');
    }
    const id = newId('sbs');
    const subscription: Subscription = {
      id,
      patientId: patient.id,
      gateway: b.gateway,
      planId: b.planId,
      amount: { amount: b.amount.amount, currency: b.amount.currency },
      interval: b.interval,
      status: 'active',
      cancelAtPeriodEnd: false,
      providerRef: `fake_${id}`,
      periodsPaid: 0,
      failureCode: null,
      cancelledAt: null,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    };
    ctx.tenant.subscriptions.insert(subscription);
    ctx.emit(
      'subscription.created',
      { type: 'subscription', id },
      {
        subscriptionId: id,
        patientId: patient.id,
        gateway: b.gateway,
        planId: b.planId,
        amount: subscription.amount,
        interval: b.interval,
      },
    );
    return { body: subscription };
  }),
  defineHandler(subscriptionOperations.get, (ctx) => ({
    body: findOr404(ctx.tenant.subscriptions, ctx.params.subscriptionId, 'subscription'),
  })),
  defineHandler(subscriptionOperations.list, (ctx) => {
    const { limit, cursor, patientId } = ctx.query;
    const rows = filterRows(ctx.tenant.subscriptions, { patientId });
    return { body: paginate(ctx.op.id, rows, { limit, cursor }, 'asc') };
  }),
  defineHandler(subscriptionOperations.changePlan, (ctx) => {
    const current = findOr404(ctx.tenant.subscriptions, ctx.params.subscriptionId, 'subscription');
    requireOpen(current);
    if (ctx.body.amount.currency !== current.amount.currency) {
      throw new ApiProblem(
        'currency_mismatch',
        `the subscription bills in ${current.amount.currency}; keep that currency`,
      );
    }
    const changed: Subscription = {
      ...current,
      planId: ctx.body.planId,
      amount: { amount: ctx.body.amount.amount, currency: current.amount.currency },
      updatedAt: ctx.now,
    };
    return { body: ctx.tenant.subscriptions.update(changed) };
  }),
  defineHandler(subscriptionOperations.cancel, (ctx) => {
    const current = findOr404(ctx.tenant.subscriptions, ctx.params.subscriptionId, 'subscription');
    requireOpen(current);
    const atPeriodEnd = ctx.body.atPeriodEnd ?? true;
    const changed: Subscription = atPeriodEnd
      ? { ...current, cancelAtPeriodEnd: true, updatedAt: ctx.now }
      : { ...current, status: 'cancelled', cancelledAt: ctx.now, updatedAt: ctx.now };
    if (!atPeriodEnd) {
      ctx.emit(
        'subscription.cancelled',
        { type: 'subscription', id: current.id },
        { subscriptionId: current.id, gateway: current.gateway, cancelledBy: 'requested' },
      );
    }
    return { body: ctx.tenant.subscriptions.update(changed) };
  }),
];
