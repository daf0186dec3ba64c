/** Handlers of `events.list` and `events.get` (deliveries belong to the delivery feature). */
import { operations } from '@clinicbridge/sdk/contract';
import { defineHandlers } from '../kernel/handlers.ts';
import { getEvent, listEvents } from './service.ts';

/**
 * Handlers for `events.list` and `events.get`.
 *
 * @example
 * registerOperations(app, deps, eventHandlers);
 */
export const eventHandlers = defineHandlers(operations.events, {
  list: (ctx) => listEvents(ctx.db, ctx.auth.tenantId, ctx.query),
  get: (ctx) => getEvent(ctx.db, ctx.auth.tenantId, ctx.params.eventId),
});
