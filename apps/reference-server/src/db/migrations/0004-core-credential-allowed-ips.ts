/**
 * An optional IP allowlist on each credential (issue #10, finding 18): API
 * keys and OAuth clients get `allowed_ips`, a JSON array of addresses and
 * CIDR ranges. Null means any address, as before the migration.
 */
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not track today's DB type.
type AnyDb = Kysely<any>;

async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('api_keys').addColumn('allowed_ips', 'jsonb').execute();
  await db.schema.alterTable('oauth_clients').addColumn('allowed_ips', 'jsonb').execute();
}

async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('oauth_clients').dropColumn('allowed_ips').execute();
  await db.schema.alterTable('api_keys').dropColumn('allowed_ips').execute();
}

/**
 * The migration adding `allowed_ips` to `api_keys` and `oauth_clients`.
 *
 * @example
 * const migrations = { '0004-core-credential-allowed-ips': credentialAllowedIpsMigration };
 */
export const credentialAllowedIpsMigration: Migration = { up, down };
