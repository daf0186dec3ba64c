/**
 * Runs the server's migrations with Kysely's Migrator over the static list
 * in migrations/index.ts. Called at start and by `clinicbridge-server migrate`;
 * safe to run from several processes at once (the migrator takes a lock).
 */
import { type Kysely, sql } from 'kysely';
import { type MigrationResultSet, Migrator } from 'kysely/migration';
import { migrations } from './migrations/index.ts';
import type { DB } from './schema.ts';

// Name the schema of the bookkeeping tables explicitly: without it Kysely
// counts a kysely_migration table in any schema as ours, which breaks when
// several schemas share one database (one per test file, or per tenant setup).
async function migrator(db: Kysely<DB>): Promise<Migrator> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  const schema = rows[0]?.schema ?? 'public';
  return new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableSchema: schema,
  });
}

/**
 * Applies every pending migration; throws when one fails (the failed one is rolled back).
 *
 * @example
 * const applied = await migrateToLatest(db); // ['0001-core']
 */
export async function migrateToLatest(db: Kysely<DB>): Promise<string[]> {
  const result: MigrationResultSet = await (await migrator(db)).migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`migration ${failed} failed: ${errorMessage(result.error)}`, {
      cause: result.error,
    });
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * Names of migrations not yet applied (empty when the schema is current).
 *
 * @example
 * if ((await pendingMigrations(db)).length > 0) console.log('not ready');
 */
export async function pendingMigrations(db: Kysely<DB>): Promise<string[]> {
  const all = await (await migrator(db)).getMigrations();
  return all.filter((m) => m.executedAt === undefined).map((m) => m.name);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
