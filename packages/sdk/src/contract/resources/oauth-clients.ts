/**
 * OAuth clients a tenant registered for the client-credentials grant: a
 * manager (`admin:tokens`) revokes one, which fails its issued access tokens
 * on their next request, or rotates its secret, shown once.
 */
import * as z from 'zod/mini';
import { idSchema } from '../ids.ts';
import { defineOperation } from '../operation.ts';
import { scope } from '../scopes.ts';

/**
 * An OAuth client (never its secret).
 *
 * @example
 * const client = oauthClient.parse(await res.json());
 */
export const oauthClient = z.object({
  id: idSchema('cli'),
  name: z.string(),
  scopes: z.array(scope),
  status: z.enum(['active', 'revoked']),
  /** The addresses and CIDR ranges the client may be used from; absent: any address. */
  allowedIps: z.optional(z.array(z.string())),
  /** The registered integration the client belongs to; absent: none. */
  integrationId: z.optional(idSchema('int')),
});

/**
 * An OAuth client with its new secret, shown this once. A replay of the
 * rotation (same `Idempotency-Key`) comes without `clientSecret` and with
 * `secretShownOnce: true`: the server never stores the response's secret.
 *
 * @example
 * const { clientSecret } = rotatedOAuthClient.parse(await res.json()); // store it now
 */
export const rotatedOAuthClient = z.extend(oauthClient, {
  /** The new client secret; absent from a replayed response. */
  clientSecret: z.optional(z.string()),
  /** Set on a replayed response: the secret was in the first response only. */
  secretShownOnce: z.optional(z.literal(true)),
});

const clientParams = z.strictObject({ clientId: idSchema('cli') });

/**
 * Revoke an OAuth client; its access tokens fail on their next request (`oauthClients.revoke`).
 *
 * @example
 * await client.request(oauthClientsRevoke, ...args); // same arguments as client.oauthClients.revoke
 */
export const oauthClientsRevoke = defineOperation({
  id: 'oauthClients.revoke',
  method: 'POST',
  path: '/api/v1/oauth-clients/{clientId}/revoke',
  summary: 'Revoke an OAuth client; its access tokens fail on their next request',
  scope: 'admin:tokens',
  write: true,
  status: 200,
  params: clientParams,
  response: oauthClient,
});

/**
 * Give an OAuth client a new secret, returned once; the old one gets no new token (`oauthClients.rotateSecret`).
 *
 * @example
 * await client.request(oauthClientsRotateSecret, ...args); // same arguments as client.oauthClients.rotateSecret
 */
export const oauthClientsRotateSecret = defineOperation({
  id: 'oauthClients.rotateSecret',
  method: 'POST',
  path: '/api/v1/oauth-clients/{clientId}/rotate-secret',
  summary:
    'Rotate an OAuth client secret; the new secret is returned once, the old one stops working',
  scope: 'admin:tokens',
  write: true,
  status: 200,
  params: clientParams,
  response: rotatedOAuthClient,
  shownOnce: ['clientSecret'],
});

/**
 * The OAuth client operations.
 *
 * @example
 * oauthClientOperations.revoke.path; // '/api/v1/oauth-clients/{clientId}/revoke'
 */
export const oauthClientOperations = {
  revoke: oauthClientsRevoke,
  rotateSecret: oauthClientsRotateSecret,
} as const;
