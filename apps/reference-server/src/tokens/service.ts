/**
 * Integration tokens (API keys): issued by a manager (`admin:tokens`) or the
 * operator CLI, shown once, stored as a hash, revoked at once. Through the
 * API a credential grants at most its own scopes and tier, and a `write:`
 * scope only with a recorded approval. A token may carry an IP allowlist
 * (finding 18), enforced by `auth/authenticate.ts`. Every change
 * is audited; the key itself never appears in a log, an audit row or a
 * later response.
 */
import {
  type CreatedIntegrationToken,
  type IntegrationToken,
  needsApproval,
  newId,
  type Page,
  type Scope,
  type TokenApproval,
} from '@clinicbridge/sdk/contract';
import type { Kysely } from 'kysely';
import { findApiKey, insertApiKey, revokeApiKeyRow } from '../auth/credentials-queries.ts';
import { type CredentialEnvironment, environmentPrefix } from '../auth/environment.ts';
import { checkAllowlist } from '../auth/ip-allowlist.ts';
import { API_KEY_PREFIX, displayPrefix, hashSecret, newSecret } from '../auth/secrets.ts';
import type { DB, Row } from '../db/schema.ts';
import { requireLinkableIntegration } from '../integrations/governance.ts';
import { auditChange, type ChangeContext } from '../kernel/change.ts';
import { decodeCursor, pageSize, toPage } from '../kernel/pagination.ts';
import { ApiError } from '../kernel/problem.ts';
import { listApiKeys } from './queries.ts';

/**
 * What a new token is.
 *
 * @example
 * const input: NewToken = { name: 'Lab sync', scopes: ['read:appointments'], tier: 'standard' };
 */
export interface NewToken {
  name: string;
  /** The environment the key is issued in (its `cbk_live_`/`cbk_test_` prefix); default live. */
  environment?: CredentialEnvironment | undefined;
  scopes: Scope[];
  tier?: 'standard' | 'high' | undefined;
  expiresAt?: string | undefined;
  /** Who approved a token with a `write:` scope, and why; audited. */
  approval?: TokenApproval | undefined;
  /** Addresses and CIDR ranges the token may be used from; absent: any (finding 18). */
  allowedIps?: readonly string[] | undefined;
  /** The registered integration it belongs to: refused while that is paused or deprecated. */
  integrationId?: string | undefined;
}

/**
 * The credential granting a token through the API: a token can get only
 * scopes it holds and no higher tier. The operator CLI grants without one.
 *
 * @example
 * const grantor: Grantor = { scopes: ctx.auth.scopes, tier: ctx.auth.tier };
 */
export interface Grantor {
  scopes: readonly Scope[];
  tier: 'standard' | 'high';
}

const tierRank = { standard: 0, high: 1 } as const;

/**
 * Refuses a grant beyond the grantor's own scopes or tier, and a write token
 * asked for through the API without an approval.
 */
function checkGrant(input: NewToken, grantor: Grantor | undefined): void {
  if (!grantor) return;
  const held = new Set(grantor.scopes);
  const beyond = input.scopes.filter((s) => !held.has(s));
  if (beyond.length > 0) {
    throw new ApiError(
      'insufficient_scope',
      `A credential can grant only scopes it holds; this one lacks ${beyond.join(', ')}. Ask a credential that holds them.`,
    );
  }
  if (tierRank[input.tier ?? 'standard'] > tierRank[grantor.tier]) {
    throw new ApiError(
      'insufficient_scope',
      `A credential can grant at most its own rate-limit tier (${grantor.tier}).`,
    );
  }
  if (needsApproval(input.scopes) && !input.approval) {
    throw new ApiError(
      'validation_failed',
      'A token with a write: scope needs an approval. Send approval: { approver, reason }.',
      {
        errors: [{ path: 'body.approval', message: 'required for write: scopes', code: 'custom' }],
      },
    );
  }
}

/**
 * The public view of a token row.
 *
 * @example
 * toIntegrationToken(row).keyPrefix; // 'cbk_AbCdEfGh'
 */
export function toIntegrationToken(row: Row<'api_keys'>): IntegrationToken {
  return {
    id: row.id as `tok_${string}`,
    name: row.name,
    scopes: row.scopes as Scope[],
    status: row.status,
    tier: row.tier,
    keyPrefix: row.key_prefix,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
    ...(row.allowed_ips ? { allowedIps: row.allowed_ips } : {}),
    ...(row.integration_id ? { integrationId: row.integration_id as `int_${string}` } : {}),
  };
}

/**
 * Creates a token; the returned `apiKey` is the only copy there will ever be.
 *
 * @example
 * const { apiKey } = await createIntegrationToken(trx, change, { name: 'Lab sync', scopes: ['read:appointments'] });
 */
export async function createIntegrationToken(
  db: Kysely<DB>,
  change: ChangeContext,
  input: NewToken,
  grantor?: Grantor,
): Promise<CreatedIntegrationToken & { apiKey: string }> {
  checkGrant(input, grantor);
  if (input.expiresAt !== undefined && Date.parse(input.expiresAt) <= change.now.getTime()) {
    throw new ApiError('validation_failed', 'expiresAt must be in the future.', {
      errors: [{ path: 'body.expiresAt', message: 'must be in the future', code: 'too_small' }],
    });
  }
  const allowedIps = checkAllowlist(input.allowedIps);
  const integrationId = await requireLinkableIntegration(
    db,
    change.tenantId,
    input.integrationId,
    'body.integrationId',
  );
  const apiKey = newSecret(environmentPrefix(API_KEY_PREFIX, input.environment ?? 'live'));
  const row: Row<'api_keys'> = {
    id: newId('tok'),
    tenant_id: change.tenantId,
    name: input.name,
    key_hash: hashSecret(apiKey),
    key_prefix: displayPrefix(apiKey),
    scopes: [...new Set(input.scopes)],
    status: 'active',
    tier: input.tier ?? 'standard',
    created_by: `${change.actor.type}:${change.actor.id}`,
    created_at: change.now,
    expires_at: input.expiresAt ? new Date(input.expiresAt) : null,
    revoked_at: null,
    last_used_at: null,
    allowed_ips: allowedIps,
    client_cert_sha256: null,
    integration_id: integrationId,
  };
  await insertApiKey(db, {
    ...row,
    scopes: JSON.stringify(row.scopes),
    allowed_ips: allowedIps ? JSON.stringify(allowedIps) : null,
  });
  await auditChange(db, change, 'integration_token.created', 'integration_token', row.id, {
    scopes: row.scopes,
    tier: row.tier,
    ...(allowedIps ? { allowedIps } : {}),
    ...(integrationId ? { integrationId } : {}),
    ...(input.approval
      ? { approval: { approver: input.approval.approver, reason: input.approval.reason } }
      : {}),
  });
  return { ...toIntegrationToken(row), apiKey };
}

/**
 * Revokes a token of the tenant; revoking twice is harmless.
 *
 * @example
 * await revokeIntegrationToken(trx, change, 'tok_…');
 */
export async function revokeIntegrationToken(
  db: Kysely<DB>,
  change: ChangeContext,
  id: string,
): Promise<IntegrationToken> {
  const row = await findApiKey(db, change.tenantId, id, { lock: true });
  if (!row) throw new ApiError('not_found', `No integration token ${id} in this tenant.`);
  if (row.status === 'revoked') return toIntegrationToken(row);
  await revokeApiKeyRow(db, change.tenantId, id, change.now);
  await auditChange(db, change, 'integration_token.revoked', 'integration_token', id);
  return toIntegrationToken({ ...row, status: 'revoked', revoked_at: change.now });
}

/**
 * Lists the tenant's tokens, oldest first.
 *
 * @example
 * const page = await listIntegrationTokens(db, tenantId, { status: 'active' });
 */
export async function listIntegrationTokens(
  db: Kysely<DB>,
  tenantId: string,
  query: {
    limit?: number | undefined;
    cursor?: string | undefined;
    status?: 'active' | 'revoked' | undefined;
  },
): Promise<Page<IntegrationToken>> {
  const limit = pageSize(query.limit);
  const rows = await listApiKeys(db, tenantId, {
    after: decodeCursor(query.cursor, 'integration_tokens'),
    limit: limit + 1,
    status: query.status,
  });
  return toPage(
    rows,
    limit,
    'integration_tokens',
    (r) => ({ time: r.created_at, id: r.id }),
    toIntegrationToken,
  );
}
