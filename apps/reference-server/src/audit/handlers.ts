/** Handlers of `auditEvents.*` (read only: the log cannot be changed through any route). */
import { operations } from '@clinicbridge/sdk/contract';
import { defineHandlers } from '../kernel/handlers.ts';
import { getAuditEvent, listAuditEvents } from './service.ts';

/**
 * Handlers for `auditEvents.*`.
 *
 * @example
 * registerOperations(app, deps, auditEventHandlers);
 */
export const auditEventHandlers = defineHandlers(operations.auditEvents, {
  list: (ctx) => listAuditEvents(ctx.db, ctx.auth.tenantId, ctx.query),
  get: (ctx) => getAuditEvent(ctx.db, ctx.auth.tenantId, ctx.params.auditEventId),
});
