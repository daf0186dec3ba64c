/**
 * Opens the server's database: embedded PGlite in a data directory by
 * default, PostgreSQL through a `pg` pool when a URL is given. Both speak
 * the same SQL, so one set of Kysely queries and migrations serves both.
 * Both drivers are told to read `bigint` as number (amounts are bounded by
 * Number.MAX_SAFE_INTEGER in the contract) and `date` as its ISO string.
 */
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { PGliteDialect } from './pglite-dialect.ts';
import type { DB } from './schema.ts';

/**
 * How to reach the database.
 *
 * @example
 * await openDatabase({ url: process.env.DATABASE_URL, dataDir: './.data' } satisfies DatabaseOptions);
 */
export interface DatabaseOptions {
  /** `postgres://…`: use PostgreSQL through a `pg` pool. Wins over `dataDir`. */
  url?: string | undefined;
  /** PGlite data directory; `'memory://'` keeps everything in memory (tests). */
  dataDir?: string | undefined;
  /** PostgreSQL only: schema to put first on the search path (tests use one per file). */
  searchPath?: string | undefined;
  /** PostgreSQL only: pool size (default 10). */
  poolSize?: number | undefined;
  /** PGlite only: start from this data directory dump (tests reuse one initdb). */
  loadDataDir?: Blob | undefined;
}

/**
 * An open database.
 *
 * @example
 * const { db, kind, close }: Database = await openDatabase({ dataDir: 'memory://' });
 */
export interface Database {
  db: Kysely<DB>;
  kind: 'pglite' | 'postgres';
  /** Closes the pool or the embedded database. */
  close(): Promise<void>;
  pglite?: PGlite;
  pool?: pg.Pool;
}

const INT8_OID = 20;
const DATE_OID = 1082;

const toNumber = (value: string): number => Number(value);
const asText = (value: string): string => value;

/**
 * Opens PGlite (default `./.data`) or PostgreSQL (`url`).
 *
 * @example
 * const { db, close } = await openDatabase({ dataDir: 'memory://' });
 * await close();
 */
export async function openDatabase(options: DatabaseOptions = {}): Promise<Database> {
  if (options.url) return openPostgres(options.url, options);
  return openPGlite(options.dataDir ?? './.data', options.loadDataDir);
}

async function openPGlite(dataDir: string, loadDataDir: Blob | undefined): Promise<Database> {
  const onDisk = !dataDir.includes('://');
  let unlock = async () => {};
  if (onDisk) {
    await mkdir(dataDir, { recursive: true });
    unlock = await lockDataDir(dataDir);
  }
  try {
    const pglite = await PGlite.create(dataDir, {
      parsers: { [INT8_OID]: toNumber, [DATE_OID]: asText },
      ...(loadDataDir ? { loadDataDir } : {}),
    });
    const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite) });
    return {
      db,
      kind: 'pglite',
      pglite,
      close: async () => {
        await db.destroy();
        await unlock();
      },
    };
  } catch (error) {
    await unlock();
    throw error;
  }
}

/**
 * Thrown when another live process holds the PGlite data directory.
 *
 * @example
 * try { await openDatabase({ dataDir: './.data' }); } catch (e) { if (e instanceof DataDirInUseError) console.error(e.message); }
 */
export class DataDirInUseError extends Error {
  override readonly name = 'DataDirInUseError';
}

// PGlite is one PostgreSQL backend per process: two processes on one data
// directory would corrupt it. A lock file with the holder's pid keeps the
// second one out; a lock left by a dead process is taken over.
async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const path = join(dataDir, 'clinicbridge.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(await readFile(path, 'utf8').catch(() => ''));
      if (holder > 0 && holder !== process.pid && processIsAlive(holder)) {
        throw new DataDirInUseError(
          `The data directory ${dataDir} is in use by process ${holder}. Embedded PGlite allows one process: stop the server first, or run on PostgreSQL (DATABASE_URL) to use the CLI while it runs.`,
        );
      }
      await rm(path, { force: true });
    }
  }
  throw new DataDirInUseError(`Could not lock the data directory ${dataDir}.`);
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function openPostgres(url: string, options: DatabaseOptions): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    ...(options.searchPath ? { options: `-c search_path=${quoteIdent(options.searchPath)}` } : {}),
    types: {
      getTypeParser: ((oid: number, format?: string) => {
        if (oid === INT8_OID) return toNumber;
        if (oid === DATE_OID) return asText;
        return pg.types.getTypeParser(oid, format as 'text');
      }) as typeof pg.types.getTypeParser,
    },
  });
  // An idle connection can end under the pool: PostgreSQL restarted, an administrator
  // terminated its backend, or a database drop `WITH (FORCE)` while the pool is closing.
  // The pool has then already dropped that client and the next query opens a new one; the
  // error only needs a listener, since an 'error' event without one ends the process.
  pool.on('error', () => {});
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return { db, kind: 'postgres', pool, close: () => db.destroy() };
}

function quoteIdent(name: string): string {
  if (!isPlainIdentifier(name)) throw new TypeError(`invalid schema name "${name}"`);
  return name;
}

/**
 * Whether `name` is a lower-case SQL identifier that needs no quoting and
 * cannot break out of one: the only names this server puts into SQL text.
 *
 * @example
 * isPlainIdentifier('patients'); // true
 * isPlainIdentifier('x"; drop table y'); // false
 */
export function isPlainIdentifier(name: string): boolean {
  return /^[a-z_][a-z0-9_]*$/.test(name);
}
