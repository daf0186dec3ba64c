/**
 * Revoking an OAuth client and rotating its secret. A revoked client gets
 * no new token, and its issued tokens fail on their next request because
 * `authenticate` looks the client up every time. A rotated secret replaces
 * the old one at once: the old secret gets no new token, while tokens
 * already issued keep working until they expire (at most `expires_in`).
 */
import type { OAuthClient, RotatedOAuthClient, Scope } from '@clinicbridge/sdk/contract';
import type { Kysely } from 'kysely';
import { findOAuthClient, updateOAuthClient } from '../auth/credentials-queries.ts';
import { type CredentialEnvironment, environmentPrefix } from '../auth/environment.ts';
import { CLIENT_SECRET_PREFIX, hashSecret, newSecret } from '../auth/secrets.ts';
import type { DB, Row } from '../db/schema.ts';
import { auditChange, type ChangeContext } from '../kernel/change.ts';
import { ApiError } from '../kernel/problem.ts';

function toOAuthClient(row: Row<'oauth_clients'>, status: 'active' | 'revoked'): OAuthClient {
  return {
    id: row.id as `cli_${string}`,
    name: row.name,
    scopes: row.scopes as Scope[],
    status,
    ...(row.allowed_ips ? { allowedIps: row.allowed_ips } : {}),
    ...(row.integration_id ? { integrationId: row.integration_id as `int_${string}` } : {}),
  };
}

async function requireClient(db: Kysely<DB>, tenantId: string, id: string) {
  const client = await findOAuthClient(db, id);
  if (!client || client.tenant_id !== tenantId) {
    throw new ApiError('not_found', `No OAuth client ${id} in this tenant.`);
  }
  return client;
}

/**
 * Revokes a client of the tenant; revoking twice is harmless.
 *
 * @example
 * await revokeOAuthClient(trx, change, 'cli_…');
 */
export async function revokeOAuthClient(
  db: Kysely<DB>,
  change: ChangeContext,
  id: string,
): Promise<OAuthClient> {
  const client = await requireClient(db, change.tenantId, id);
  if (client.status !== 'revoked') {
    await updateOAuthClient(db, change.tenantId, id, { status: 'revoked' });
    await auditChange(db, change, 'oauth_client.revoked', 'oauth_client', id);
  }
  return toOAuthClient(client, 'revoked');
}

/**
 * Gives an active client a new secret, returned this once; the old one stops working at once.
 *
 * @example
 * const { clientSecret } = await rotateOAuthClientSecret(trx, change, 'cli_…');
 */
export async function rotateOAuthClientSecret(
  db: Kysely<DB>,
  change: ChangeContext,
  id: string,
  environment: CredentialEnvironment = 'live',
): Promise<RotatedOAuthClient & { clientSecret: string }> {
  const client = await requireClient(db, change.tenantId, id);
  if (client.status !== 'active') {
    throw new ApiError(
      'invalid_state_transition',
      `OAuth client ${id} is revoked; register a new client instead.`,
    );
  }
  const clientSecret = newSecret(environmentPrefix(CLIENT_SECRET_PREFIX, environment));
  await updateOAuthClient(db, change.tenantId, id, { secret_hash: hashSecret(clientSecret) });
  await auditChange(db, change, 'oauth_client.secret_rotated', 'oauth_client', id);
  return { ...toOAuthClient(client, 'active'), clientSecret };
}
