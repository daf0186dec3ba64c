/**
 * Runs the server's migrations with Kysely's Migrator over the static list
 * in migrations/index.ts. Called at start and by `clinicbridge-server migrate`;
 * safe to run from several processes at once (the migrator takes a lock).
 */
import type { Kysely } from 'kysely';
import { type MigrationResultSet, Migrator } from 'kysely/migration';
import { migrations } from './migrations/index.ts';
import type { DB } from './schema.ts';

function migrator(db: Kysely<DB>): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
  });
}

/**
 * Applies every pending migration; throws when one fails (the failed one is rolled back).
 *
 * @example
 * const applied = await migrateToLatest(db); // ['0001-core']
 */
export async function migrateToLatest(db: Kysely<DB>): Promise<string[]> {
  const result: MigrationResultSet = await migrator(db).migrateToLatest();
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
  const all = await migrator(db).getMigrations();
  return all.filter((m) => m.executedAt === undefined).map((m) => m.name);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
