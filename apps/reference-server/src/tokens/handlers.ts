/** Handlers of the integration-token operations (manager role: `admin:tokens`). */
import { operations } from '@clinicbridge/sdk/contract';
import { changeOf, defineHandlers } from '../kernel/handlers.ts';
import { revokeOAuthClient, rotateOAuthClientSecret } from '../tenants/oauth-clients.ts';
import {
  createIntegrationToken,
  listIntegrationTokens,
  revokeIntegrationToken,
} from './service.ts';

/**
 * Handlers for `integrationTokens.*`.
 *
 * @example
 * registerOperations(app, deps, { ...integrationTokenHandlers });
 */
export const integrationTokenHandlers = defineHandlers(operations.integrationTokens, {
  create: (ctx) =>
    createIntegrationToken(
      ctx.db,
      changeOf(ctx),
      { ...ctx.body, environment: ctx.auth.environment },
      {
        scopes: ctx.auth.scopes,
        tier: ctx.auth.tier,
      },
    ),
  list: (ctx) => listIntegrationTokens(ctx.db, ctx.auth.tenantId, ctx.query),
  revoke: (ctx) => revokeIntegrationToken(ctx.db, changeOf(ctx), ctx.params.tokenId),
});

/**
 * Handlers for `oauthClients.*`.
 *
 * @example
 * registerOperations(app, deps, { ...oauthClientHandlers });
 */
export const oauthClientHandlers = defineHandlers(operations.oauthClients, {
  revoke: (ctx) => revokeOAuthClient(ctx.db, changeOf(ctx), ctx.params.clientId),
  rotateSecret: (ctx) =>
    rotateOAuthClientSecret(ctx.db, changeOf(ctx), ctx.params.clientId, ctx.auth.environment),
});
