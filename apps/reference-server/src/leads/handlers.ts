/** Handlers of `leads.*`: personal fields only with `read:patients:pii`. */
import { hasScope, operations } from '@clinicbridge/sdk/contract';
import { changeOf, defineHandlers } from '../kernel/handlers.ts';
import { getLead, listLeads, setLeadMarketingConsent } from './service.ts';

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
  setMarketingConsent: (ctx) =>
    setLeadMarketingConsent(
      ctx.db,
      changeOf(ctx),
      ctx.params.leadId,
      ctx.body.marketing,
      hasScope(ctx.auth.scopes, 'read:patients:pii'),
    ),
});
