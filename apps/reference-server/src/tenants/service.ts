/**
 * Tenants: created by the operator (CLI or first start), each with an admin
 * API key holding every scope and a least-privilege OAuth client for the
 * client-credentials grant (reads without PII: see DEFAULT_CLIENT_SCOPES).
 * Secrets are returned once and stored hashed.
 */
import { newId, type Scope, scopes } from '@clinicbridge/sdk/contract';
import type { Kysely } from 'kysely';
import { insertOAuthClient } from '../auth/credentials-queries.ts';
import { type CredentialEnvironment, environmentPrefix } from '../auth/environment.ts';
import { checkAllowlist } from '../auth/ip-allowlist.ts';
import { CLIENT_SECRET_PREFIX, hashSecret, newSecret } from '../auth/secrets.ts';
import type { DB } from '../db/schema.ts';
import { auditChange, type ChangeContext } from '../kernel/change.ts';
import { createIntegrationToken } from '../tokens/service.ts';
import { countTenantRows, findTenant, insertTenant } from './queries.ts';

/**
 * Scopes of a new tenant's default OAuth client: every `read:` scope except
 * `read:patients:pii` — no writes, no admin. A partner needing more gets its
 * own client or an API key granted by a manager.
 *
 * @example
 * DEFAULT_CLIENT_SCOPES.includes('write:appointments'); // false
 */
export const DEFAULT_CLIENT_SCOPES: readonly Scope[] = scopes.filter(
  (s) => s.startsWith('read:') && s !== 'read:patients:pii',
);

/**
 * The credentials of a new tenant, shown once.
 *
 * @example
 * const { tenantId, apiKey }: CreatedTenant = await createTenant(db, { name: 'Clinic' });
 */
export interface CreatedTenant {
  tenantId: string;
  apiKey: string;
  clientId: string;
  clientSecret: string;
}

/**
 * Creates a tenant, its admin API key and its OAuth client in one transaction.
 *
 * @example
 * const { tenantId, apiKey } = await createTenant(db, { name: 'Demo clinic' });
 */
export async function createTenant(
  db: Kysely<DB>,
  input: { name: string; now?: Date; environment?: CredentialEnvironment },
): Promise<CreatedTenant> {
  const environment = input.environment ?? 'live';
  const now = input.now ?? new Date();
  const tenantId = newId('ten');
  return db.transaction().execute(async (trx) => {
    await insertTenant(trx, { id: tenantId, name: input.name, created_at: now });
    const change: ChangeContext = {
      tenantId,
      actor: { type: 'operator', id: 'cli' },
      requestId: null,
      now,
    };
    await auditChange(trx, change, 'tenant.created', 'tenant', tenantId);
    const token = await createIntegrationToken(trx, change, {
      name: 'Admin key',
      scopes: [...scopes],
      tier: 'high',
      environment,
    });
    const client = await createOAuthClient(trx, change, {
      name: 'Default client',
      scopes: [...DEFAULT_CLIENT_SCOPES],
      environment,
    });
    return {
      tenantId,
      apiKey: token.apiKey,
      clientId: client.clientId,
      clientSecret: client.clientSecret,
    };
  });
}

/**
 * Registers an OAuth client of the tenant; the secret is returned once.
 *
 * @example
 * const { clientId, clientSecret } = await createOAuthClient(trx, change, { name: 'Partner', scopes: ['read:appointments'] });
 */
export async function createOAuthClient(
  db: Kysely<DB>,
  change: ChangeContext,
  input: {
    name: string;
    scopes: Scope[];
    tier?: 'standard' | 'high';
    /** Addresses and CIDR ranges the client may be used from; absent: any (finding 18). */
    allowedIps?: readonly string[] | undefined;
    /** The environment the secret is issued in (`cbs_live_`/`cbs_test_`); default live. */
    environment?: CredentialEnvironment | undefined;
  },
): Promise<{ clientId: string; clientSecret: string }> {
  const allowedIps = checkAllowlist(input.allowedIps);
  const clientId = newId('cli');
  const clientSecret = newSecret(
    environmentPrefix(CLIENT_SECRET_PREFIX, input.environment ?? 'live'),
  );
  await insertOAuthClient(db, {
    id: clientId,
    tenant_id: change.tenantId,
    name: input.name,
    secret_hash: hashSecret(clientSecret),
    scopes: JSON.stringify(input.scopes),
    tier: input.tier ?? 'standard',
    status: 'active',
    created_at: change.now,
    allowed_ips: allowedIps ? JSON.stringify(allowedIps) : null,
  });
  await auditChange(db, change, 'oauth_client.created', 'oauth_client', clientId, {
    scopes: input.scopes,
    ...(allowedIps ? { allowedIps } : {}),
  });
  return { clientId, clientSecret };
}

/**
 * True when the tenant exists.
 *
 * @example
 * if (!(await tenantExists(db, 'ten_…'))) throw new Error('unknown tenant');
 */
export async function tenantExists(db: Kysely<DB>, tenantId: string): Promise<boolean> {
  return (await findTenant(db, tenantId)) !== undefined;
}

/**
 * Number of tenants (first start creates a demo tenant when there is none).
 *
 * @example
 * if ((await countTenants(db)) === 0) await createTenant(db, { name: 'Demo clinic' });
 */
export function countTenants(db: Kysely<DB>): Promise<number> {
  return countTenantRows(db);
}
