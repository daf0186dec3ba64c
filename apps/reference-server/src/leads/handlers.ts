/** Handlers of `leads.*`: personal fields only with `read:patients:pii`. */
import { hasScope, operations } from '@clinicbridge/sdk/contract';
import { defineHandlers } from '../kernel/handlers.ts';
import { getLead, listLeads } from './service.ts';

/**
 * Handlers for `leads.*`.
 *
 * @example
 * const handlers = { ...importHandlers(limits, source), ...leadHandlers };
 */
export const leadHandlers = defineHandlers(operations.leads, {
  get: (ctx) =>
    getLead(
      ctx.db,
      ctx.auth.tenantId,
      ctx.params.leadId,
      hasScope(ctx.auth.scopes, 'read:patients:pii'),
    ),
  list: (ctx) =>
    listLeads(ctx.db, ctx.auth.tenantId, ctx.query, hasScope(ctx.auth.scopes, 'read:patients:pii')),
});
