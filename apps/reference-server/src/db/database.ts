/**
 * Opens the server's database: embedded PGlite in a data directory by
 * default, PostgreSQL through a `pg` pool when a URL is given. Both speak
 * the same SQL, so one set of Kysely queries and migrations serves both.
 * Both drivers are told to read `bigint` as number (amounts are bounded by
 * Number.MAX_SAFE_INTEGER in the contract) and `date` as its ISO string.
 */
import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { PGliteDialect } from './pglite-dialect.ts';
import type { DB } from './schema.ts';

/** How to reach the database. */
export interface DatabaseOptions {
  /** `postgres://…`: use PostgreSQL through a `pg` pool. Wins over `dataDir`. */
  url?: string | undefined;
  /** PGlite data directory; `'memory://'` keeps everything in memory (tests). */
  dataDir?: string | undefined;
  /** PostgreSQL only: schema to put first on the search path (tests use one per file). */
  searchPath?: string | undefined;
  /** PostgreSQL only: pool size (default 10). */
  poolSize?: number | undefined;
}

/** An open database. */
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
  return openPGlite(options.dataDir ?? './.data');
}

async function openPGlite(dataDir: string): Promise<Database> {
  if (!dataDir.includes('://')) await mkdir(dataDir, { recursive: true });
  const pglite = await PGlite.create(dataDir, {
    parsers: { [INT8_OID]: toNumber, [DATE_OID]: asText },
  });
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite) });
  return {
    db,
    kind: 'pglite',
    pglite,
    close: () => db.destroy(),
  };
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
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return { db, kind: 'postgres', pool, close: () => db.destroy() };
}

function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new TypeError(`invalid schema name "${name}"`);
  return name;
}
