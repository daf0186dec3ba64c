/**
 * Integration tokens in the fake API: API keys issued through the API land in
 * the same credential table the router authenticates against, so a key
 * created here works on the next request and stops working once revoked.
 */
import { type IntegrationToken, integrationTokenOperations } from '../../../contract/index.ts';
import type { StoredToken } from '../auth.ts';
import { type BoundHandler, defineHandler } from '../context.ts';
import { paginate } from '../pagination.ts';
import { ApiProblem } from '../problem.ts';
import { linkableIntegration } from './integrations.ts';

function present(token: StoredToken): IntegrationToken {
  const { tenantId: _tenant, apiKey: _key, ...visible } = token;
  return visible;
}

/**
 * Handlers of the integration token operations.
 *
 * @example
 * const byId = new Map(integrationTokenHandlers.map((h) => [h.op.id, h]));
 */
export const integrationTokenHandlers: BoundHandler[] = [
  defineHandler(integrationTokenOperations.create, (ctx) => {
    const b = ctx.body;
    // Like the server: grant at most the caller's own scopes and tier (write scopes need
    // `approval`, which the contract's body schema already requires).
    const held = new Set(ctx.caller.scopes);
    const beyond = b.scopes.filter((s) => !held.has(s));
    if (beyond.length > 0) {
      throw new ApiProblem(
        'insufficient_scope',
        `A credential can grant only scopes it holds; this one lacks ${beyond.join(', ')}. Ask a credential that holds them.`,
      );
    }
    const callerTier =
      ctx.caller.actor.type === 'api_key'
        ? (ctx.world.auth.token(ctx.tenant.id, ctx.caller.actor.id)?.tier ?? 'standard')
        : 'standard';
    if (b.tier === 'high' && callerTier !== 'high') {
      throw new ApiProblem(
        'insufficient_scope',
        `A credential can grant at most its own rate-limit tier (${callerTier}).`,
      );
    }
    const token = ctx.world.auth.createApiKey({
      tenantId: ctx.tenant.id,
      scopes: b.scopes,
      name: b.name,
      tier: b.tier ?? 'standard',
      expiresAt: b.expiresAt ?? null,
      createdBy: ctx.caller.actor.id,
      allowedIps: b.allowedIps,
    });
    const linked = b.integrationId
      ? ctx.world.auth.setTokenIntegration(token, linkableIntegration(ctx, b.integrationId))
      : token;
    return { body: { ...present(linked), apiKey: linked.apiKey } };
  }),
  defineHandler(integrationTokenOperations.list, (ctx) => {
    const { limit, cursor, status } = ctx.query;
    const rows = ctx.world.auth
      .tokensOf(ctx.tenant.id)
      .map((token, i) => ({ seq: i + 1, value: present(token) }))
      .filter((row) => status === undefined || row.value.status === status);
    return { body: paginate(ctx.op.id, rows, { limit, cursor }, 'asc') };
  }),
  defineHandler(integrationTokenOperations.revoke, (ctx) => {
    const token = ctx.world.auth.token(ctx.tenant.id, ctx.params.tokenId);
    if (!token)
      throw new ApiProblem('not_found', `integration token ${ctx.params.tokenId} does not exist`);
    return { body: present(token.status === 'revoked' ? token : ctx.world.auth.revoke(token)) };
  }),
];
