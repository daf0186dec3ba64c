/** Handlers of `visits.*`. */
import { operations } from '@clinicbridge/sdk/contract';
import { changeOf, defineHandlers } from '../kernel/handlers.ts';
import { completeVisit, listVisits, openVisit, requireVisit, toVisit } from './service.ts';

/**
 * Handlers for `visits.*`.
 *
 * @example
 * registerOperations(app, deps, visitHandlers);
 */
export const visitHandlers = defineHandlers(operations.visits, {
  create: (ctx) => openVisit(ctx.db, changeOf(ctx), ctx.body),
  get: async (ctx) => toVisit(await requireVisit(ctx.db, ctx.auth.tenantId, ctx.params.visitId)),
  list: (ctx) => listVisits(ctx.db, ctx.auth.tenantId, ctx.query),
  complete: (ctx) => completeVisit(ctx.db, changeOf(ctx), ctx.params.visitId, ctx.body),
});
