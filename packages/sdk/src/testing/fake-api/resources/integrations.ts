/**
 * The integrations registry in the fake API: create, read, list, update,
 * the status actions (pause, deprecate, resume, with the server's allowed
 * transitions) and links of tokens and webhook endpoints. The fake records
 * links and statuses but does not refuse a paused integration's keys nor
 * hold its deliveries; the reference server does.
 */
import { type Integration, integrationOperations, newId } from '../../../contract/index.ts';
import { type BoundHandler, defineHandler, type OperationContext } from '../context.ts';

type HandlerContext = Pick<
  OperationContext<typeof integrationOperations.pause>,
  'tenant' | 'now' | 'world'
>;

import { filterRows, findOr404 } from '../lookup.ts';
import { paginate } from '../pagination.ts';
import { ApiProblem } from '../problem.ts';

/**
 * The id of the tenant's integration a new token or endpoint names, as the
 * server checks it: 400 `validation_failed` when there is none.
 *
 * @example
 * const integrationId = linkableIntegration(ctx, b.integrationId);
 */
export function linkableIntegration(
  ctx: Pick<HandlerContext, 'tenant'>,
  integrationId: string,
): `int_${string}` {
  const found = ctx.tenant.integrations.get(integrationId);
  if (!found) {
    throw new ApiProblem(
      'validation_failed',
      `body.integrationId: no integration ${integrationId} in this tenant; register it first.`,
    );
  }
  return found.id;
}

const transitions = {
  pause: { to: 'paused', from: ['active'] },
  deprecate: { to: 'deprecated', from: ['active', 'paused'] },
  resume: { to: 'active', from: ['paused', 'deprecated'] },
} as const;

function changeStatus(
  ctx: HandlerContext,
  integrationId: string,
  action: keyof typeof transitions,
): Integration {
  const current = findOr404(ctx.tenant.integrations, integrationId, 'integration');
  const { to, from } = transitions[action];
  if (!(from as readonly string[]).includes(current.status)) {
    throw new ApiProblem(
      'invalid_state_transition',
      `Integration ${integrationId} is ${current.status}; ${action} applies to ${from.join(' or ')} integrations.`,
    );
  }
  return ctx.tenant.integrations.update({ ...current, status: to, updatedAt: ctx.now });
}

function link(
  ctx: HandlerContext,
  integrationId: string,
  body: {
    tokenId?: string | undefined;
    webhookEndpointId?: string | undefined;
    clientId?: string | undefined;
  },
  mode: 'link' | 'unlink',
): Integration {
  const integration = findOr404(ctx.tenant.integrations, integrationId, 'integration');
  const id = integration.id;
  const check = (current: string | undefined, noun: string, resourceId: string) => {
    if (mode === 'unlink' && current !== id) {
      throw new ApiProblem('conflict', `The ${noun} ${resourceId} does not belong to ${id}.`);
    }
  };
  if (body.tokenId !== undefined) {
    const token = ctx.world.auth.token(ctx.tenant.id, body.tokenId);
    if (!token)
      throw new ApiProblem('not_found', `No integration token ${body.tokenId} in this tenant.`);
    check(token.integrationId, 'integration token', body.tokenId);
    ctx.world.auth.setTokenIntegration(token, mode === 'link' ? id : undefined);
  }
  if (body.clientId !== undefined && !ctx.world.auth.oauthClient(ctx.tenant.id, body.clientId)) {
    throw new ApiProblem('not_found', `No OAuth client ${body.clientId} in this tenant.`);
  }
  if (body.webhookEndpointId !== undefined) {
    const endpoint = findOr404(
      ctx.tenant.webhookEndpoints,
      body.webhookEndpointId,
      'webhook endpoint',
    );
    check(endpoint.integrationId, 'webhook endpoint', body.webhookEndpointId);
    const { integrationId: _previous, ...rest } = endpoint;
    ctx.tenant.webhookEndpoints.update({
      ...rest,
      ...(mode === 'link' ? { integrationId: id } : {}),
    });
  }
  return integration;
}

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
      justification: b.justification ?? null,
      dataScope: b.dataScope ?? null,
      risk: b.risk ? { level: b.risk.level, notes: b.risk.notes ?? null } : null,
      reviewDate: b.reviewDate ?? null,
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
    const { risk, ...rest } = ctx.body;
    const changes = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
    return {
      body: ctx.tenant.integrations.update({
        ...current,
        ...changes,
        ...(risk ? { risk: { level: risk.level, notes: risk.notes ?? null } } : {}),
        updatedAt: ctx.now,
      }),
    };
  }),
  defineHandler(integrationOperations.pause, (ctx) => ({
    body: changeStatus(ctx, ctx.params.integrationId, 'pause'),
  })),
  defineHandler(integrationOperations.deprecate, (ctx) => ({
    body: changeStatus(ctx, ctx.params.integrationId, 'deprecate'),
  })),
  defineHandler(integrationOperations.resume, (ctx) => ({
    body: changeStatus(ctx, ctx.params.integrationId, 'resume'),
  })),
  defineHandler(integrationOperations.link, (ctx) => ({
    body: link(ctx, ctx.params.integrationId, ctx.body, 'link'),
  })),
  defineHandler(integrationOperations.unlink, (ctx) => ({
    body: link(ctx, ctx.params.integrationId, ctx.body, 'unlink'),
  })),
];
