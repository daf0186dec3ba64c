/**
 * The operator commands behind `clinicbridge-server`: each opens the same
 * database the server uses (DATA_DIR or DATABASE_URL), does one thing and
 * closes it. They print results; they never log secrets.
 */
import { scopes as allScopes, parseScopeList, type Scope } from '@clinicbridge/sdk/contract';
import { rotateSigningKey } from '../auth/signing-keys.ts';
import type { CoreConfig } from '../config/index.ts';
import type { Database } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { serverMigrations } from '../features.ts';
import { openConfiguredDatabase } from '../server.ts';
import { type CreatedTenant, createTenant, tenantExists } from '../tenants/service.ts';
import { createIntegrationToken } from '../tokens/service.ts';

/**
 * A command's failure that the CLI prints as is and exits 1 on.
 *
 * @example
 * throw new CommandError('--name must be 1–200 characters');
 */
export class CommandError extends Error {
  override readonly name = 'CommandError';
}

async function withDatabase<T>(
  config: CoreConfig,
  fn: (database: Database) => Promise<T>,
): Promise<T> {
  const database = await openConfiguredDatabase(config);
  try {
    await migrateToLatest(database.db, serverMigrations);
    return await fn(database);
  } finally {
    await database.close();
  }
}

/**
 * Applies pending migrations; returns the names applied.
 *
 * @example
 * await migrateCommand(config); // ['0001-core']
 */
export async function migrateCommand(config: CoreConfig): Promise<string[]> {
  const database = await openConfiguredDatabase(config);
  try {
    return await migrateToLatest(database.db, serverMigrations);
  } finally {
    await database.close();
  }
}

/**
 * Creates a tenant with an admin API key (every scope) and an OAuth client.
 *
 * @example
 * const { tenantId, apiKey, clientId, clientSecret } = await createTenantCommand(config, 'Clinic A');
 */
export function createTenantCommand(config: CoreConfig, name: string): Promise<CreatedTenant> {
  if (name.trim() === '' || name.length > 200) {
    throw new CommandError('--name must be 1–200 characters');
  }
  return withDatabase(config, (database) => createTenant(database.db, { name: name.trim() }));
}

/**
 * What `create-token` prints.
 *
 * @example
 * const { id, apiKey, scopes }: CreatedTokenOutput = await createTokenCommand(config, { tenantId, scopes: 'read:events' });
 */
export interface CreatedTokenOutput {
  id: string;
  apiKey: string;
  scopes: Scope[];
}

/**
 * Issues an API key for a tenant with the given scopes.
 *
 * @example
 * await createTokenCommand(config, { tenantId: 'ten_…', scopes: 'read:appointments,write:appointments' });
 */
export async function createTokenCommand(
  config: CoreConfig,
  input: { tenantId: string; scopes: string; name?: string; tier?: string; expiresAt?: string },
): Promise<CreatedTokenOutput> {
  const scopes = parseScopeList(input.scopes);
  if (!scopes || scopes.length === 0) {
    throw new CommandError(
      `--scopes must list known scopes, e.g. read:appointments; known: ${allScopes.join(', ')}`,
    );
  }
  if (input.tier !== undefined && input.tier !== 'standard' && input.tier !== 'high') {
    throw new CommandError('--tier must be standard or high');
  }
  if (input.expiresAt !== undefined && Number.isNaN(Date.parse(input.expiresAt))) {
    throw new CommandError('--expires-at must be an ISO 8601 timestamp');
  }
  return withDatabase(config, async (database) => {
    if (!(await tenantExists(database.db, input.tenantId))) {
      throw new CommandError(`no tenant ${input.tenantId}; create one with create-tenant`);
    }
    const token = await database.db.transaction().execute((trx) =>
      createIntegrationToken(
        trx,
        {
          tenantId: input.tenantId,
          actor: { type: 'operator', id: 'cli' },
          requestId: null,
          now: new Date(),
        },
        {
          name: input.name ?? 'CLI token',
          scopes,
          tier: input.tier as 'standard' | 'high' | undefined,
          expiresAt: input.expiresAt ? new Date(input.expiresAt).toISOString() : undefined,
        },
      ),
    );
    return { id: token.id, apiKey: token.apiKey, scopes: token.scopes };
  });
}

/**
 * Rotates the token signing key; the previous key keeps verifying until its tokens expire.
 *
 * @example
 * const kid = await rotateSigningKeyCommand(config);
 */
export function rotateSigningKeyCommand(config: CoreConfig): Promise<string> {
  return withDatabase(config, (database) => rotateSigningKey(database.db, new Date()));
}
