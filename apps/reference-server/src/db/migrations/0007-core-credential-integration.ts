/**
 * A credential may belong to a registered integration (issue 17, item 10):
 * API keys and OAuth clients get `integration_id`, null for none, as every
 * credential was before the migration. Authentication reads the
 * integration's status through it (auth/authenticate.ts), so the column is
 * the platform's, whatever features run.
 */
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not track today's DB type.
type AnyDb = Kysely<any>;

async function up(db: AnyDb): Promise<void> {
  for (const table of ['api_keys', 'oauth_clients']) {
    await db.schema.alterTable(table).addColumn('integration_id', 'text').execute();
    await db.schema
      .createIndex(`${table}_integration`)
      .on(table)
      .column('integration_id')
      .execute();
  }
}

async function down(db: AnyDb): Promise<void> {
  for (const table of ['oauth_clients', 'api_keys']) {
    await db.schema.dropIndex(`${table}_integration`).execute();
    await db.schema.alterTable(table).dropColumn('integration_id').execute();
  }
}

/**
 * The migration adding `integration_id` to `api_keys` and `oauth_clients`.
 *
 * @example
 * const migrations = { '0007-core-credential-integration': credentialIntegrationMigration };
 */
export const credentialIntegrationMigration: Migration = { up, down };
