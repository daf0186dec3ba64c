/**
 * Handlers of the delivery operations: an event's deliveries, one
 * delivery and its retry, dead letters and their replay. Retries and
 * replays wake the scheduler.
 */
import { operations } from '@clinicbridge/sdk/contract';
import { changeOf, defineHandlers, type HandlerMap } from '../kernel/handlers.ts';
import { wakeSoon } from '../scheduler/wake-soon.ts';
import {
  getDelivery,
  listDeadLetters,
  listEventDeliveries,
  replayDeadLetter,
  retryDelivery,
} from './deliveries-service.ts';

/**
 * Handlers for `events.deliveries`, `deliveries.*` and `deadLetters.*`.
 *
 * @example
 * registerOperations(app, deps, deliveryHandlers(() => wakeup.wake()));
 */
export function deliveryHandlers(wake: () => void): HandlerMap {
  const soon = wakeSoon(wake);
  return {
    ...defineHandlers(operations.events, {
      deliveries: (ctx) =>
        listEventDeliveries(ctx.db, ctx.auth.tenantId, ctx.params.eventId, ctx.query),
    }),
    ...defineHandlers(operations.deliveries, {
      get: (ctx) => getDelivery(ctx.db, ctx.auth.tenantId, ctx.params.deliveryId),
      retry: async (ctx) => soon(await retryDelivery(ctx.db, changeOf(ctx), ctx.params.deliveryId)),
    }),
    ...defineHandlers(operations.deadLetters, {
      list: (ctx) => listDeadLetters(ctx.db, ctx.auth.tenantId, ctx.query),
      replay: async (ctx) =>
        soon(await replayDeadLetter(ctx.db, changeOf(ctx), ctx.params.deliveryId)),
    }),
  };
}
