/**
 * Handlers of `webhookEndpoints.*`: the API resource partners use to
 * subscribe to events. Changes that create deliveries wake the scheduler.
 */
import { operations } from '@clinicbridge/sdk/contract';
import type { TargetGuard } from '../delivery/ssrf.ts';
import { changeOf, defineHandlers, type HandlerMap } from '../kernel/handlers.ts';
import { wakeSoon } from '../scheduler/wake-soon.ts';
import {
  createEndpoint,
  deleteEndpoint,
  findEndpoint,
  listEndpoints,
  replayEndpoint,
  rotateEndpointSecret,
  sendTestEvent,
  toEndpointView,
  updateEndpoint,
} from './service.ts';

/**
 * What the endpoint handlers need.
 *
 * @example
 * const deps: EndpointHandlerDeps = { guard: createTargetGuard({ allowlist: [] }), wake };
 */
export interface EndpointHandlerDeps {
  readonly guard: TargetGuard;
  /** Wakes the dispatcher (a hint; it also polls). */
  readonly wake: () => void;
}

/**
 * Handlers for `webhookEndpoints.*`.
 *
 * @example
 * registerOperations(app, deps, webhookEndpointHandlers({ guard, wake }));
 */
export function webhookEndpointHandlers(deps: EndpointHandlerDeps): HandlerMap {
  const soon = wakeSoon(deps.wake);
  return defineHandlers(operations.webhookEndpoints, {
    create: (ctx) => createEndpoint(ctx.db, changeOf(ctx), deps.guard, ctx.body),
    get: async (ctx) =>
      toEndpointView(await findEndpoint(ctx.db, ctx.auth.tenantId, ctx.params.endpointId)),
    list: (ctx) => listEndpoints(ctx.db, ctx.auth.tenantId, ctx.query),
    update: async (ctx) =>
      soon(
        await updateEndpoint(ctx.db, changeOf(ctx), deps.guard, ctx.params.endpointId, ctx.body),
      ),
    delete: async (ctx) => {
      await deleteEndpoint(ctx.db, changeOf(ctx), ctx.params.endpointId);
      return undefined;
    },
    rotateSecret: (ctx) => rotateEndpointSecret(ctx.db, changeOf(ctx), ctx.params.endpointId),
    test: async (ctx) => soon(await sendTestEvent(ctx.db, changeOf(ctx), ctx.params.endpointId)),
    replay: async (ctx) =>
      soon(
        await replayEndpoint(
          ctx.db,
          changeOf(ctx),
          ctx.params.endpointId,
          new Date(ctx.body.since),
        ),
      ),
  });
}
