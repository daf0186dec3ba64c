/**
 * Handlers of the delivery operations of API v1: `webhookEndpoints.*`,
 * `events.deliveries`, `deliveries.*` and `deadLetters.*`. They run in the
 * app's standard pipeline (auth, scopes, idempotency, one transaction) and
 * only translate validated input into service calls. Writes that make work
 * for the dispatcher wake it once their transaction has had time to commit.
 */
import { operations } from '@clinicbridge/sdk/contract';
import { changeOf, defineHandlers, type HandlerMap } from '../kernel/handlers.ts';
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
} from '../webhook-endpoints/service.ts';
import {
  getDelivery,
  listDeadLetters,
  listEventDeliveries,
  replayDeadLetter,
  retryDelivery,
} from './deliveries-service.ts';
import type { TargetGuard } from './ssrf.ts';

/**
 * What the handlers need from the running bus.
 *
 * @example
 * deliveryHandlers({ guard: createTargetGuard(), wake: () => bus.wakeup.wake() });
 */
export interface DeliveryHandlerDeps {
  readonly guard: TargetGuard;
  /** Wakes the dispatcher (a hint; it also polls). */
  readonly wake: () => void;
}

/**
 * Builds the handler map of the delivery operations.
 *
 * @example
 * const handlers = deliveryHandlers({ guard, wake: () => bus.wakeup.wake() });
 */
export function deliveryHandlers(deps: DeliveryHandlerDeps): HandlerMap {
  // The handler returns before its transaction commits; a short delay lets
  // the dispatcher see the committed rows instead of waiting a poll interval.
  const wakeSoon = <T>(value: T): T => {
    setTimeout(deps.wake, 20).unref();
    return value;
  };
  return {
    ...defineHandlers(operations.webhookEndpoints, {
      create: (ctx) => createEndpoint(ctx.db, changeOf(ctx), deps.guard, ctx.body),
      get: async (ctx) =>
        toEndpointView(await findEndpoint(ctx.db, ctx.auth.tenantId, ctx.params.endpointId)),
      list: (ctx) => listEndpoints(ctx.db, ctx.auth.tenantId, ctx.query),
      update: async (ctx) =>
        wakeSoon(
          await updateEndpoint(ctx.db, changeOf(ctx), deps.guard, ctx.params.endpointId, ctx.body),
        ),
      delete: async (ctx) => {
        await deleteEndpoint(ctx.db, changeOf(ctx), ctx.params.endpointId);
        return undefined;
      },
      rotateSecret: (ctx) => rotateEndpointSecret(ctx.db, changeOf(ctx), ctx.params.endpointId),
      test: async (ctx) =>
        wakeSoon(await sendTestEvent(ctx.db, changeOf(ctx), ctx.params.endpointId)),
      replay: async (ctx) =>
        wakeSoon(
          await replayEndpoint(
            ctx.db,
            changeOf(ctx),
            ctx.params.endpointId,
            new Date(ctx.body.since),
          ),
        ),
    }),
    ...defineHandlers(operations.events, {
      deliveries: (ctx) =>
        listEventDeliveries(ctx.db, ctx.auth.tenantId, ctx.params.eventId, ctx.query),
    }),
    ...defineHandlers(operations.deliveries, {
      get: (ctx) => getDelivery(ctx.db, ctx.auth.tenantId, ctx.params.deliveryId),
      retry: async (ctx) =>
        wakeSoon(await retryDelivery(ctx.db, changeOf(ctx), ctx.params.deliveryId)),
    }),
    ...defineHandlers(operations.deadLetters, {
      list: (ctx) => listDeadLetters(ctx.db, ctx.auth.tenantId, ctx.query),
      replay: async (ctx) =>
        wakeSoon(await replayDeadLetter(ctx.db, changeOf(ctx), ctx.params.deliveryId)),
    }),
  };
}
