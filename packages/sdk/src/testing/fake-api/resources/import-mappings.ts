/**
 * Saved import column mappings and leads in the fake API. Mappings are
 * stored per tenant, one per kind and name (saving again replaces the
 * columns); leads are listed from what a test seeds, with personal fields
 * only for `read:patients:pii`.
 */
import {
  hasScope,
  type ImportMapping,
  importMappingOperations,
  type Lead,
  leadOperations,
  leadPiiFields,
  newId,
} from '../../../contract/index.ts';
import { type BoundHandler, defineHandler } from '../context.ts';
import { filterRows, findOr404 } from '../lookup.ts';
import { paginate } from '../pagination.ts';

const withoutPii = (lead: Lead): Lead =>
  Object.fromEntries(
    Object.entries(lead).filter(([k]) => !leadPiiFields.includes(k as never)),
  ) as Lead;

/**
 * Handlers of `importMappings.*` and `leads.*`.
 *
 * @example
 * const byId = new Map(importMappingHandlers.map((h) => [h.op.id, h]));
 */
export const importMappingHandlers: BoundHandler[] = [
  defineHandler(importMappingOperations.create, (ctx) => {
    const same = ctx.tenant.importMappings
      .values()
      .find((m) => m.kind === ctx.body.kind && m.name === ctx.body.name);
    const saved: ImportMapping = {
      id: same?.id ?? newId('imm'),
      name: ctx.body.name,
      kind: ctx.body.kind,
      columns: ctx.body.columns,
      createdAt: same?.createdAt ?? ctx.now,
      updatedAt: ctx.now,
    };
    return {
      body: same
        ? ctx.tenant.importMappings.update(saved)
        : ctx.tenant.importMappings.insert(saved),
    };
  }),
  defineHandler(importMappingOperations.get, (ctx) => ({
    body: findOr404(ctx.tenant.importMappings, ctx.params.mappingId, 'import mapping'),
  })),
  defineHandler(importMappingOperations.list, (ctx) => {
    const { limit, cursor, kind } = ctx.query;
    const rows = filterRows(ctx.tenant.importMappings, { kind });
    return { body: paginate(ctx.op.id, rows, { limit, cursor }, 'asc') };
  }),
  defineHandler(importMappingOperations.delete, (ctx) => {
    findOr404(ctx.tenant.importMappings, ctx.params.mappingId, 'import mapping');
    ctx.tenant.importMappings.delete(ctx.params.mappingId);
    return { body: undefined };
  }),
  defineHandler(leadOperations.get, (ctx) => {
    const lead = findOr404(ctx.tenant.leads, ctx.params.leadId, 'lead');
    return { body: hasScope(ctx.caller.scopes, 'read:patients:pii') ? lead : withoutPii(lead) };
  }),
  defineHandler(leadOperations.list, (ctx) => {
    const { limit, cursor, source, campaign } = ctx.query;
    const rows = filterRows(ctx.tenant.leads, { source, campaign });
    const page = paginate(ctx.op.id, rows, { limit, cursor }, 'asc');
    const pii = hasScope(ctx.caller.scopes, 'read:patients:pii');
    return { body: { ...page, data: pii ? page.data : page.data.map(withoutPii) } };
  }),
  defineHandler(leadOperations.setMarketingConsent, (ctx) => {
    const lead = findOr404(ctx.tenant.leads, ctx.params.leadId, 'lead');
    const saved = ctx.tenant.leads.update({ ...lead, marketingConsent: ctx.body.marketing });
    return { body: hasScope(ctx.caller.scopes, 'read:patients:pii') ? saved : withoutPii(saved) };
  }),
];
