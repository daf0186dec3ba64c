/** Handlers of `integrations.*`. */
import { operations } from '@clinicbridge/sdk/contract';
import { changeOf, defineHandlers } from '../kernel/handlers.ts';
import {
  listIntegrations,
  registerIntegration,
  requireIntegration,
  toIntegration,
  updateIntegration,
} from './service.ts';

/**
 * Handlers for `integrations.*`.
 *
 * @example
 * registerOperations(app, deps, integrationHandlers);
 */
export const integrationHandlers = defineHandlers(operations.integrations, {
  create: (ctx) => registerIntegration(ctx.db, changeOf(ctx), ctx.body),
  get: async (ctx) =>
    toIntegration(await requireIntegration(ctx.db, ctx.auth.tenantId, ctx.params.integrationId)),
  list: (ctx) => listIntegrations(ctx.db, ctx.auth.tenantId, ctx.query),
  update: (ctx) => updateIntegration(ctx.db, changeOf(ctx), ctx.params.integrationId, ctx.body),
});
