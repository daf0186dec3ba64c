/**
 * The field-encryption key ring of a database. The ring comes from
 * `PII_ENCRYPTION_KEYS` and `PII_INDEX_KEY`; embedded PGlite without them
 * keeps a development ring in its data directory (generated on first start,
 * with a warning), so a laptop needs no setup; PostgreSQL without them
 * refuses to serve (`startServer`). The ring travels with the database's
 * Kysely instance (a plugin that changes no query), so every service and
 * transaction that can read a row can also open its encrypted fields.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  Kysely,
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';
import { ConfigError, type CoreConfig } from '../config/index.ts';
import type { Database } from '../db/database.ts';
import type { DB } from '../db/schema.ts';
import { generateKey, type KeyRing, parseKeyRing } from './field-encryption.ts';

/**
 * The file holding PGlite's development ring, inside `DATA_DIR`.
 *
 * @example
 * join(config.DATA_DIR, DEV_KEYS_FILE); // './.data/pii-keys.dev.json'
 */
export const DEV_KEYS_FILE = 'pii-keys.dev.json';

/**
 * A resolved ring and where it came from (`development` rings are no place for real patients).
 *
 * @example
 * const { ring, source } = await resolveKeyRing(config);
 */
export interface ResolvedKeyRing {
  ring: KeyRing;
  source: 'configured' | 'development' | 'in-memory';
}

function configured(config: CoreConfig): KeyRing | null {
  const keys = config.PII_ENCRYPTION_KEYS;
  const index = config.PII_INDEX_KEY;
  if (keys === undefined && index === undefined) return null;
  if (keys === undefined || index === undefined) {
    throw new ConfigError([
      `${keys === undefined ? 'PII_ENCRYPTION_KEYS' : 'PII_INDEX_KEY'}: required when ${keys === undefined ? 'PII_INDEX_KEY' : 'PII_ENCRYPTION_KEYS'} is set`,
    ]);
  }
  try {
    return parseKeyRing(keys, index);
  } catch (error) {
    const message = (error as Error).message;
    const name = message.startsWith('the index key') ? 'PII_INDEX_KEY' : 'PII_ENCRYPTION_KEYS';
    throw new ConfigError([`${name}: ${message}`]);
  }
}

async function developmentRing(dataDir: string): Promise<KeyRing> {
  const path = join(dataDir, DEV_KEYS_FILE);
  try {
    const stored = JSON.parse(await readFile(path, 'utf8')) as { keys: string; indexKey: string };
    return parseKeyRing(stored.keys, stored.indexKey);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new ConfigError([
        `PII_ENCRYPTION_KEYS: ${path} is unreadable; restore it or set the keys`,
      ]);
    }
  }
  const fresh = { keys: `dev-1:${generateKey()}`, indexKey: generateKey() };
  await mkdir(dataDir, { recursive: true });
  // `wx`: two processes racing on a new directory never overwrite each other's key.
  await writeFile(path, `${JSON.stringify(fresh)}\n`, { mode: 0o600, flag: 'wx' }).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    },
  );
  return developmentRing(dataDir);
}

/**
 * The ring of a configuration: the configured keys; else, on PGlite, the
 * development ring of `DATA_DIR` (or a fresh one in memory); else (PostgreSQL) null.
 *
 * @example
 * const resolved = await resolveKeyRing(loadConfig());
 */
export async function resolveKeyRing(config: CoreConfig): Promise<ResolvedKeyRing | null> {
  const ring = configured(config);
  if (ring) return { ring, source: 'configured' };
  if (config.DATABASE_URL) return null;
  if (config.DATA_DIR.includes('://')) {
    return { ring: parseKeyRing(`mem:${generateKey()}`, generateKey()), source: 'in-memory' };
  }
  return { ring: await developmentRing(config.DATA_DIR), source: 'development' };
}

/** Carries the ring on a Kysely instance and its transactions; queries pass unchanged. */
class FieldKeysPlugin implements KyselyPlugin {
  readonly ring: KeyRing;
  constructor(ring: KeyRing) {
    this.ring = ring;
  }
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node;
  }
  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result);
  }
}

/**
 * The database with `ring` attached to its Kysely instance.
 *
 * @example
 * const database = withKeyRing(await openDatabase(options), ring);
 */
export function withKeyRing<D extends Database>(database: D, ring: KeyRing): D {
  return { ...database, db: database.db.withPlugin(new FieldKeysPlugin(ring)) };
}

/**
 * The ring attached to `db`, or undefined (a database opened without keys).
 *
 * @example
 * if (!findKeyRing(db)) return 0; // nothing to re-encrypt with
 */
export function findKeyRing(db: Kysely<DB>): KeyRing | undefined {
  // Kysely keeps a transaction's plugins on its executor; this is the one place that reads them.
  // The ring attached last wins (a test or a command may attach a newer ring).
  return db
    .getExecutor()
    .plugins.findLast((p): p is FieldKeysPlugin => p instanceof FieldKeysPlugin)?.ring;
}

/**
 * The ring attached to `db` (or to the database it is a transaction of).
 *
 * @example
 * const ring = keyRingOf(trx);
 */
export function keyRingOf(db: Kysely<DB>): KeyRing {
  const ring = findKeyRing(db);
  if (!ring) {
    throw new Error(
      'personal data cannot be read or written: no encryption keys are configured (set PII_ENCRYPTION_KEYS and PII_INDEX_KEY)',
    );
  }
  return ring;
}
