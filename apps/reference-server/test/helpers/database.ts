/**
 * A fresh, migrated database for one test file: in-memory PGlite by
 * default, or — when TEST_DATABASE_URL is set — a new PostgreSQL schema on
 * that server, dropped again by `close()`. One schema per file lets test
 * files run in parallel against one PostgreSQL without seeing each other.
 *
 *   const database = await openTestDatabase();
 *   afterAll(() => database.close());
 *
 * A fresh PGlite spends seconds in initdb; every test file would pay that,
 * so the first one dumps an empty cluster to the temp directory (one file
 * per PGlite build) and the others start from it. Migrations still run per
 * file, so the template never holds an outdated schema.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { withKeyRing } from '../../src/crypto/keys.ts';
import { type Database, openDatabase } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { serverMigrations } from '../../src/features.ts';
import { testKeyRing } from './pii-keys.ts';

/** Which database the tests run on: `'postgres'` when TEST_DATABASE_URL is set. */
export const testDatabaseKind: 'pglite' | 'postgres' = process.env.TEST_DATABASE_URL
  ? 'postgres'
  : 'pglite';

/** A test database; `close()` also drops its PostgreSQL schema. */
export interface TestDatabase extends Database {
  /** The PostgreSQL schema of this file, or null on PGlite. */
  schema: string | null;
}

/**
 * Opens and migrates a database private to the calling test file.
 *
 * @example
 * const database = await openTestDatabase();
 * await database.db.selectFrom('tenants').selectAll().execute();
 * await database.close();
 */
export async function openTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const url = process.env.TEST_DATABASE_URL;
  let database: Database;
  let schema: string | null = null;
  if (url) {
    schema = `test_${randomBytes(6).toString('hex')}`;
    await adminQuery(url, `create schema ${schema}`);
    database = await openDatabase({ url, searchPath: schema, poolSize: 5 });
  } else {
    database = await openDatabase({ dataDir: 'memory://', loadDataDir: await initdbTemplate() });
  }
  // Personal data is encrypted with the test key ring (the same in every process of a test).
  database = withKeyRing(database, testKeyRing);
  if (options.migrate !== false) {
    const migrate = () => migrateToLatest(database.db, serverMigrations);
    await (url ? whileNoSchemaIsDropped(url, migrate) : migrate());
  }
  const dropSchema = schema;
  return {
    ...database,
    schema,
    close: async () => {
      await database.close();
      if (url && dropSchema) {
        // Exclusive: no migration of another test reads the catalogue meanwhile.
        await adminQuery(
          url,
          `select pg_advisory_lock(${SCHEMA_DROP_LOCK}); drop schema ${dropSchema} cascade`,
        );
      }
    },
  };
}

/**
 * The migrator reads every schema's tables (and resolves each by name); a
 * schema another test drops at that moment makes it fail with "relation
 * does not exist" — seen with two test runs side by side on one database.
 * Migrations hold this lock shared and drops hold it exclusively.
 */
const SCHEMA_DROP_LOCK = 727_161_803;

async function whileNoSchemaIsDropped<T>(url: string, run: () => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`select pg_advisory_lock_shared(${SCHEMA_DROP_LOCK})`);
    return await run();
  } finally {
    await client.end();
  }
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function initdbTemplate(): Promise<Blob> {
  const build = createHash('sha256')
    .update(import.meta.resolve('@electric-sql/pglite'))
    .digest('hex')
    .slice(0, 16);
  const path = join(tmpdir(), `clinicbridge-pglite-initdb-${build}.tar`);
  try {
    return new Blob([await readFile(path)]);
  } catch {
    const fresh = await PGlite.create('memory://');
    const dump = await fresh.dumpDataDir('none');
    await fresh.close();
    // Write then rename, so a parallel test file never reads half a dump.
    const partial = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
    await writeFile(partial, new Uint8Array(await dump.arrayBuffer()));
    await rename(partial, path);
    return dump;
  }
}

/**
 * A database that server processes of a crash test share: on PostgreSQL a
 * migrated schema of its own, on PGlite a migrated data directory (PGlite
 * is single-process, so it is closed again and handed to the children).
 * `env` points a child at it, `reopen` opens it in this process (with the
 * test key ring) once the children are gone, and `cleanup` removes it.
 *
 * @example
 * const shared = await openProcessTestDatabase('pglite', 'cb-import-crash-');
 * spawnTestProcess('test/imports/server-process.ts', shared.env);
 */
export async function openProcessTestDatabase(
  kind: 'pglite' | 'postgres',
  dirPrefix: string,
): Promise<{
  env: Record<string, string>;
  reopen: () => Promise<Database>;
  cleanup: () => Promise<void>;
}> {
  if (kind === 'postgres') {
    const database = await openTestDatabase();
    return {
      env: {
        DATABASE_URL: process.env.TEST_DATABASE_URL as string,
        TEST_SCHEMA: database.schema as string,
      },
      reopen: async () => ({ ...database, close: async () => {} }),
      cleanup: () => database.close(),
    };
  }
  const dir = await mkdtemp(join(tmpdir(), dirPrefix));
  const database = await openDatabase({ dataDir: dir });
  await migrateToLatest(database.db, serverMigrations);
  await database.close();
  return {
    env: { DATA_DIR: dir },
    reopen: async () => withKeyRing(await openDatabase({ dataDir: dir }), testKeyRing),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
