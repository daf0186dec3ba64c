/** The audit log in the fake API: read only, newest first; the router appends a record per write. */
import { auditEventOperations } from '../../../contract/index.ts';
import { type BoundHandler, defineHandler } from '../context.ts';
import { filterRows, findOr404 } from '../lookup.ts';
import { paginate } from '../pagination.ts';

/**
 * Handlers of the audit log operations.
 *
 * @example
 * const byId = new Map(auditEventHandlers.map((h) => [h.op.id, h]));
 */
export const auditEventHandlers: BoundHandler[] = [
  defineHandler(auditEventOperations.list, (ctx) => {
    const { limit, cursor, action, entityType, entityId, since, until } = ctx.query;
    const rows = filterRows(ctx.tenant.auditEvents, { action, entityType, entityId }).filter(
      ({ value }) =>
        (since === undefined || Date.parse(value.occurredAt) >= Date.parse(since)) &&
        (until === undefined || Date.parse(value.occurredAt) < Date.parse(until)),
    );
    return { body: paginate(ctx.op.id, rows, { limit, cursor }, 'desc') };
  }),
  defineHandler(auditEventOperations.get, (ctx) => ({
    body: findOr404(ctx.tenant.auditEvents, ctx.params.auditEventId, 'audit record'),
  })),
];
