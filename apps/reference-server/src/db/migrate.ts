/**
 * Runs migrations with Kysely's Migrator over a static list: the platform's
 * and those of the server's features (`serverMigrations` in src/features.ts). Called at start and by `clinicbridge-server migrate`;
 * safe to run from several processes at once (the migrator takes a lock).
 */
import { type Kysely, sql } from 'kysely';
import { type Migration, type MigrationResultSet, Migrator } from 'kysely/migration';
import type { DB } from './schema.ts';

// Name the schema of the bookkeeping tables explicitly: without it Kysely
// counts a kysely_migration table in any schema as ours, which breaks when
// several schemas share one database (one per test file, or per tenant setup).
//
// Migrations come from the server's features, so the list is not one
// ever-growing sequence: a feature added later may bring names below ones
// already run (unordered migrations are allowed), and a feature taken out of
// the list leaves migrations that ran but are no longer listed. Those stay
// recorded as they are, their tables untouched: they are kept as no-ops so
// the migrator does not call the database corrupted.
async function migrator(db: Kysely<DB>, migrations: Record<string, Migration>): Promise<Migrator> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  const schema = rows[0]?.schema ?? 'public';
  const ran = await executedMigrations(db, schema);
  const kept: Record<string, Migration> = {};
  for (const name of ran) if (!(name in migrations)) kept[name] = { up: async () => {} };
  return new Migrator({
    db,
    provider: { getMigrations: async () => ({ ...kept, ...migrations }) },
    migrationTableSchema: schema,
    allowUnorderedMigrations: true,
  });
}

async function executedMigrations(db: Kysely<DB>, schema: string): Promise<string[]> {
  const table = `${schema}.kysely_migration`;
  const { rows } = await sql<{
    found: string | null;
  }>`select to_regclass(${table})::text as found`.execute(db);
  if (!rows[0]?.found) return [];
  const names = await sql<{ name: string }>`select name from ${sql.table(table)}`.execute(db);
  return names.rows.map((row) => row.name);
}

/**
 * Applies every pending migration; throws when one fails (the failed one is rolled back).
 *
 * @example
 * const applied = await migrateToLatest(db, serverMigrations); // ['0001-core']
 */
export async function migrateToLatest(
  db: Kysely<DB>,
  migrations: Record<string, Migration>,
): Promise<string[]> {
  let result: MigrationResultSet = await (await migrator(db, migrations)).migrateToLatest();
  // Kysely's migrator looks for its own table by listing the tables and
  // columns of every schema of the database. DDL that another process runs
  // meanwhile in another schema — a schema dropped (3F000), a table or
  // column created, renamed or dropped by its own migrations (42P01, 42703:
  // the listing's catalogue reads see the change half-way) — fails that
  // listing before any migration of ours ran, so listing again is safe.
  for (let retry = 0; retry < LISTING_RETRIES && listingRaced(result); retry++) {
    await backOff(retry);
    result = await (await migrator(db, migrations)).migrateToLatest();
  }
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
 * if ((await pendingMigrations(db, serverMigrations)).length > 0) console.log('not ready');
 */
export async function pendingMigrations(
  db: Kysely<DB>,
  migrations: Record<string, Migration>,
): Promise<string[]> {
  for (let retry = 0; ; retry++) {
    try {
      const all = await (await migrator(db, migrations)).getMigrations();
      return all.filter((m) => m.executedAt === undefined).map((m) => m.name);
    } catch (error) {
      // The same all-schema listing as in migrateToLatest (see there).
      if (retry >= LISTING_RETRIES || !catalogueChanged(error)) throw error;
      await backOff(retry);
    }
  }
}

/** How often a listing that met another session's DDL is tried again (about 4 s in all). */
const LISTING_RETRIES = 20;

/** A short, growing pause before listing again, so the other session's DDL can finish. */
const backOff = (retry: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.min(20 * (retry + 1), 400)));

/** PostgreSQL codes of a catalogue read that met another session's DDL. */
const CATALOGUE_RACE_CODES = new Set(['3F000', '42P01', '42703']);

function catalogueChanged(error: unknown): boolean {
  return CATALOGUE_RACE_CODES.has(String((error as { code?: unknown } | undefined)?.code));
}

/** The run failed in the migrator's listing, before any migration of ours ran. */
function listingRaced(result: MigrationResultSet): boolean {
  return (
    catalogueChanged(result.error) &&
    !(result.results ?? []).some((r) => r.status === 'Error' || r.status === 'Success')
  );
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
