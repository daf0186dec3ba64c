/** The integrations registry in the fake API: plain create, read, list and update. */
import { type Integration, integrationOperations, newId } from '../../../contract/index.ts';
import { type BoundHandler, defineHandler } from '../context.ts';
import { filterRows, findOr404 } from '../lookup.ts';
import { paginate } from '../pagination.ts';

/**
 * Handlers of the integration registry operations.
 *
 * @example
 * const byId = new Map(integrationHandlers.map((h) => [h.op.id, h]));
 */
export const integrationHandlers: BoundHandler[] = [
  defineHandler(integrationOperations.create, (ctx) => {
    const b = ctx.body;
    const integration: Integration = {
      id: newId('int'),
      name: b.name,
      purpose: b.purpose,
      scopes: [...b.scopes],
      apis: [...b.apis],
      events: [...b.events],
      status: b.status ?? 'active',
      owner: b.owner ?? null,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    };
    return { body: ctx.tenant.integrations.insert(integration) };
  }),
  defineHandler(integrationOperations.get, (ctx) => ({
    body: findOr404(ctx.tenant.integrations, ctx.params.integrationId, 'integration'),
  })),
  defineHandler(integrationOperations.list, (ctx) => {
    const { limit, cursor, status } = ctx.query;
    const rows = filterRows(ctx.tenant.integrations, { status });
    return { body: paginate(ctx.op.id, rows, { limit, cursor }, 'asc') };
  }),
  defineHandler(integrationOperations.update, (ctx) => {
    const current = findOr404(ctx.tenant.integrations, ctx.params.integrationId, 'integration');
    const changes = Object.fromEntries(Object.entries(ctx.body).filter(([, v]) => v !== undefined));
    return { body: ctx.tenant.integrations.update({ ...current, ...changes, updatedAt: ctx.now }) };
  }),
];
