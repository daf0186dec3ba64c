/** Handlers of `subscriptions.*`: contract operations → the subscriptions service. */
import { operations } from '@clinicbridge/sdk/contract';
import { changeOf, defineHandlers } from '../kernel/handlers.ts';
import {
  type Billers,
  cancelSubscription,
  changeSubscriptionPlan,
  createSubscription,
  listSubscriptions,
  requireSubscription,
  toSubscription,
} from './service.ts';

/**
 * Handlers for `subscriptions.*`, calling the billers `billers` returns.
 *
 * @example
 * const handlers = subscriptionHandlers(() => context.providers.subscriptionBilling ?? {});
 */
export function subscriptionHandlers(billers: Billers) {
  return defineHandlers(operations.subscriptions, {
    create: (ctx) => createSubscription(ctx.db, changeOf(ctx), billers, ctx.body),
    get: async (ctx) =>
      toSubscription(
        await requireSubscription(ctx.db, ctx.auth.tenantId, ctx.params.subscriptionId),
      ),
    list: (ctx) => listSubscriptions(ctx.db, ctx.auth.tenantId, ctx.query),
    changePlan: (ctx) =>
      changeSubscriptionPlan(ctx.db, changeOf(ctx), billers, ctx.params.subscriptionId, ctx.body),
    cancel: (ctx) =>
      cancelSubscription(ctx.db, changeOf(ctx), billers, ctx.params.subscriptionId, ctx.body),
  });
}
