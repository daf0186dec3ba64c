/**
 * A TLS client certificate pinned to a credential (issue #10, finding 18):
 * API keys and OAuth clients get `client_cert_sha256`, the SHA-256 of the
 * certificate (DER) every request with the credential must present. Null
 * means no certificate is required, as before the migration.
 */
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not track today's DB type.
type AnyDb = Kysely<any>;

async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('api_keys').addColumn('client_cert_sha256', 'text').execute();
  await db.schema.alterTable('oauth_clients').addColumn('client_cert_sha256', 'text').execute();
}

async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('oauth_clients').dropColumn('client_cert_sha256').execute();
  await db.schema.alterTable('api_keys').dropColumn('client_cert_sha256').execute();
}

/**
 * The migration adding `client_cert_sha256` to `api_keys` and `oauth_clients`.
 *
 * @example
 * const migrations = { '0006-core-credential-client-cert': credentialClientCertMigration };
 */
export const credentialClientCertMigration: Migration = { up, down };
