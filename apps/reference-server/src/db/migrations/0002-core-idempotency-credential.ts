/**
 * Binds each stored idempotent response to the credential that made it
 * (issue #10, finding 2): a response may carry what only its credential's
 * scopes show, so it is replayed to that credential alone. Rows stored
 * before this migration have no credential and are replayed to no one; they
 * expire within 24 hours.
 */
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not track today's DB type.
type AnyDb = Kysely<any>;

async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('idempotency_keys').addColumn('credential_id', 'text').execute();
}

async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('idempotency_keys').dropColumn('credential_id').execute();
}

/**
 * The migration adding `idempotency_keys.credential_id`.
 *
 * @example
 * const migrations = { '0002-core-idempotency-credential': idempotencyCredentialMigration };
 */
export const idempotencyCredentialMigration: Migration = { up, down };
