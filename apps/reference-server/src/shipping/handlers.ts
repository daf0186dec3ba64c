/** Handlers of `shipments.*`. */
import { operations } from '@clinicbridge/sdk/contract';
import { changeOf, defineHandlers } from '../kernel/handlers.ts';
import { createShipment, getShipment, type ShippingDeps } from './service.ts';

/**
 * Handlers for `shipments.*`; `deps` is read on first use.
 *
 * @example
 * const handlers = shipmentHandlers(() => deps);
 */
export function shipmentHandlers(deps: () => ShippingDeps) {
  return defineHandlers(operations.shipments, {
    create: (ctx) => createShipment(ctx.db, changeOf(ctx), deps(), ctx.body),
    get: (ctx) => getShipment(ctx.db, ctx.auth.tenantId, ctx.params.shipmentId),
  });
}
