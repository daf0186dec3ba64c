/** Handlers of `integrations.*`. */
import { operations } from '@clinicbridge/sdk/contract';
import { changeOf, defineHandlers, type HandlerMap } from '../kernel/handlers.ts';
import { wakeSoon } from '../scheduler/wake-soon.ts';
import { changeIntegrationStatus, linkToIntegration } from './governance.ts';
import {
  listIntegrations,
  registerIntegration,
  requireIntegration,
  toIntegration,
  updateIntegration,
} from './service.ts';

/**
 * Handlers for `integrations.*`; resuming an integration wakes the
 * scheduler, so its waiting deliveries go out at once.
 *
 * @example
 * registerOperations(app, deps, integrationHandlers(wake));
 */
export function integrationHandlers(wake: () => void): HandlerMap {
  const soon = wakeSoon(wake);
  return defineHandlers(operations.integrations, {
    create: (ctx) => registerIntegration(ctx.db, changeOf(ctx), ctx.body),
    get: async (ctx) =>
      toIntegration(await requireIntegration(ctx.db, ctx.auth.tenantId, ctx.params.integrationId)),
    list: (ctx) => listIntegrations(ctx.db, ctx.auth.tenantId, ctx.query),
    update: async (ctx) =>
      soon(await updateIntegration(ctx.db, changeOf(ctx), ctx.params.integrationId, ctx.body)),
    pause: (ctx) =>
      changeIntegrationStatus(
        ctx.db,
        changeOf(ctx),
        ctx.params.integrationId,
        'pause',
        ctx.body.reason,
      ),
    deprecate: (ctx) =>
      changeIntegrationStatus(
        ctx.db,
        changeOf(ctx),
        ctx.params.integrationId,
        'deprecate',
        ctx.body.reason,
      ),
    resume: async (ctx) =>
      soon(
        await changeIntegrationStatus(
          ctx.db,
          changeOf(ctx),
          ctx.params.integrationId,
          'resume',
          ctx.body.reason,
        ),
      ),
    link: (ctx) =>
      linkToIntegration(ctx.db, changeOf(ctx), ctx.params.integrationId, ctx.body, 'link'),
    unlink: (ctx) =>
      linkToIntegration(ctx.db, changeOf(ctx), ctx.params.integrationId, ctx.body, 'unlink'),
  });
}
