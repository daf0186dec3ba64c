/** Handlers of `practitioners.*`, `services.*` and `availability.*`. */
import { operations } from '@clinicbridge/sdk/contract';
import { changeOf, defineHandlers } from '../kernel/handlers.ts';
import {
  bookSlot,
  getPractitioner,
  getService,
  listPractitioners,
  listServices,
  searchAvailability,
} from './service.ts';

/**
 * Handlers of the catalogue operations.
 *
 * @example
 * const handlers = catalogueHandlers();
 */
export function catalogueHandlers() {
  return {
    ...defineHandlers(operations.practitioners, {
      list: (ctx) => listPractitioners(ctx.db, ctx.auth.tenantId, ctx.query),
      get: (ctx) => getPractitioner(ctx.db, ctx.auth.tenantId, ctx.params.practitionerId),
    }),
    ...defineHandlers(operations.services, {
      list: (ctx) => listServices(ctx.db, ctx.auth.tenantId, ctx.query),
      get: (ctx) => getService(ctx.db, ctx.auth.tenantId, ctx.params.serviceId),
    }),
    ...defineHandlers(operations.availability, {
      search: (ctx) => searchAvailability(ctx.db, ctx.auth.tenantId, ctx.query),
      book: (ctx) => bookSlot(ctx.db, changeOf(ctx), ctx.params.slotId, ctx.body),
    }),
  };
}
