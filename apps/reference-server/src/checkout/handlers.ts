/** Handlers of `checkouts.*`: contract operations → the checkout services. */
import { operations } from '@clinicbridge/sdk/contract';
import { changeOf, defineHandlers } from '../kernel/handlers.ts';
import {
  createCheckout,
  type Gateways,
  refundCheckout,
  requireCheckout,
  toCheckout,
} from './service.ts';

/**
 * Handlers for `checkouts.*`, calling the gateways `gateways` returns.
 *
 * @example
 * const handlers = checkoutHandlers(() => context.providers.payments);
 */
export function checkoutHandlers(gateways: Gateways) {
  return defineHandlers(operations.checkouts, {
    create: (ctx) => createCheckout(ctx.db, changeOf(ctx), gateways, ctx.body),
    get: async (ctx) =>
      toCheckout(await requireCheckout(ctx.db, ctx.auth.tenantId, ctx.params.checkoutId)),
    refund: (ctx) =>
      refundCheckout(ctx.db, changeOf(ctx), gateways, ctx.params.checkoutId, ctx.body),
  });
}
