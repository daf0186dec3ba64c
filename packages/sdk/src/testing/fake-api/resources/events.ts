/**
 * Events, deliveries and the dead-letter queue in the fake API. Events are
 * listed newest first. Deliveries stay `pending` (the fake API sends nothing);
 * tests that need a dead delivery set its status through `state`.
 */
import {
  deadLetterOperations,
  deliveryOperations,
  eventOperations,
} from '../../../contract/index.ts';
import { type BoundHandler, defineHandler } from '../context.ts';
import { filterRows, findOr404 } from '../lookup.ts';
import { paginate } from '../pagination.ts';
import { ApiProblem } from '../problem.ts';

/**
 * Handlers of the event, delivery and dead-letter operations.
 *
 * @example
 * const byId = new Map(eventHandlers.map((h) => [h.op.id, h]));
 */
export const eventHandlers: BoundHandler[] = [
  defineHandler(eventOperations.list, (ctx) => {
    const { limit, cursor, type, entityId, since } = ctx.query;
    const rows = filterRows(ctx.tenant.events, { type, entityId }).filter(
      ({ value }) => since === undefined || Date.parse(value.occurredAt) >= Date.parse(since),
    );
    return { body: paginate(ctx.op.id, rows, { limit, cursor }, 'desc') };
  }),
  defineHandler(eventOperations.get, (ctx) => ({
    body: findOr404(ctx.tenant.events, ctx.params.eventId, 'event'),
  })),
  defineHandler(eventOperations.deliveries, (ctx) => {
    findOr404(ctx.tenant.events, ctx.params.eventId, 'event');
    const rows = filterRows(ctx.tenant.deliveries, { eventId: ctx.params.eventId });
    return { body: paginate(ctx.op.id, rows, ctx.query, 'asc') };
  }),
  defineHandler(deliveryOperations.get, (ctx) => ({
    body: findOr404(ctx.tenant.deliveries, ctx.params.deliveryId, 'delivery'),
  })),
  defineHandler(deliveryOperations.retry, (ctx) => {
    const delivery = findOr404(ctx.tenant.deliveries, ctx.params.deliveryId, 'delivery');
    if (delivery.status === 'cancelled') {
      throw new ApiProblem(
        'conflict',
        'this delivery was cancelled because its endpoint was deleted',
      );
    }
    const updated = ctx.tenant.deliveries.update({
      ...delivery,
      status: 'pending',
      nextAttemptAt: ctx.now,
    });
    return { body: updated };
  }),
  defineHandler(deadLetterOperations.list, (ctx) => {
    const { limit, cursor, endpointId } = ctx.query;
    const rows = filterRows(ctx.tenant.deliveries, { status: 'dead', endpointId });
    return { body: paginate(ctx.op.id, rows, { limit, cursor }, 'asc') };
  }),
  defineHandler(deadLetterOperations.replay, (ctx) => {
    const delivery = findOr404(ctx.tenant.deliveries, ctx.params.deliveryId, 'delivery');
    if (delivery.status !== 'dead') {
      throw new ApiProblem(
        'conflict',
        `this delivery is ${delivery.status}, not in the dead-letter queue`,
      );
    }
    const updated = ctx.tenant.deliveries.update({
      ...delivery,
      status: 'pending',
      nextAttemptAt: ctx.now,
    });
    return { body: updated };
  }),
];
