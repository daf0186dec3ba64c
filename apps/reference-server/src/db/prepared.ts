/**
 * Named prepared statements on PostgreSQL (issue 16): `pg` parses and
 * plans a named statement once per pooled connection and then only binds
 * and runs it, where Kysely sends every statement unnamed (parsed and
 * planned each time). For the hot path's fixed SQL texts. PGlite has none:
 * its callers keep their ordinary path.
 */
import { createHash } from 'node:crypto';
import type { Database } from './database.ts';

/**
 * Runs the statement `text` prepared under `name` (one text per name) in
 * autocommit on a pooled connection; resolves to its rows.
 *
 * @example
 * const rows = await run('cb_w_1f2e…', 'select $1::int as one', [1]);
 */
export type RunPrepared = (
  name: string,
  text: string,
  values: unknown[],
) => Promise<Record<string, unknown>[]>;

/**
 * The prepared-statement runner of `database`, or undefined on PGlite.
 *
 * @example
 * const run = preparedRunnerOf(database); if (run) await run(name, text, values);
 */
export function preparedRunnerOf(database: Database): RunPrepared | undefined {
  const pool = database.pool;
  if (database.kind !== 'postgres' || !pool) return undefined;
  return async (name, text, values) => (await pool.query({ name, text, values })).rows;
}

/**
 * The name of the prepared statement `text`: `prefix` and a digest of the
 * text, so one name never stands for two texts.
 *
 * @example
 * preparedName('cb_write_', text); // 'cb_write_3f9a…' (24 hex digits)
 */
export function preparedName(prefix: string, text: string): string {
  return `${prefix}${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
}
