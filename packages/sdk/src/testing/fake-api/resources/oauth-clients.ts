/**
 * OAuth clients of the fake API: revoke (issued tokens fail on their next
 * request) and secret rotation (the old secret gets no new token), like the server.
 */
import { type OAuthClient, oauthClientOperations } from '../../../contract/index.ts';
import type { OAuthClient as StoredClient } from '../auth.ts';
import { type BoundHandler, defineHandler } from '../context.ts';
import { ApiProblem } from '../problem.ts';

function present(client: StoredClient): OAuthClient {
  return {
    id: client.clientId as `cli_${string}`,
    name: 'OAuth client',
    scopes: [...client.scopes],
    status: client.status ?? 'active',
  };
}

/**
 * Handlers of the OAuth client operations.
 *
 * @example
 * const byId = new Map(oauthClientHandlers.map((h) => [h.op.id, h]));
 */
export const oauthClientHandlers: BoundHandler[] = [
  defineHandler(oauthClientOperations.revoke, (ctx) => {
    const client = ctx.world.auth.oauthClient(ctx.tenant.id, ctx.params.clientId);
    if (!client)
      throw new ApiProblem('not_found', `OAuth client ${ctx.params.clientId} does not exist`);
    return { body: present(ctx.world.auth.revokeOAuthClient(client)) };
  }),
  defineHandler(oauthClientOperations.rotateSecret, (ctx) => {
    const client = ctx.world.auth.oauthClient(ctx.tenant.id, ctx.params.clientId);
    if (!client)
      throw new ApiProblem('not_found', `OAuth client ${ctx.params.clientId} does not exist`);
    if (client.status === 'revoked') {
      throw new ApiProblem(
        'invalid_state_transition',
        `OAuth client ${client.clientId} is revoked; register a new client instead`,
      );
    }
    const rotated = ctx.world.auth.rotateOAuthClientSecret(client);
    return { body: { ...present(rotated), clientSecret: rotated.clientSecret } };
  }),
];
