/**
 * Moves a server's data from embedded PGlite to PostgreSQL: the command
 * behind `clinicbridge-server move-to-postgres --to URL`.
 *
 * Both databases are first migrated to the same schema. Every table is then
 * copied inside one PostgreSQL transaction as a replica would receive it
 * (`session_replication_role = replica`): rows keep their ids, hashes and
 * balances, and no trigger runs again on the way in — the audit chain and
 * the ledger's posted balances arrive exactly as they were. Each table is
 * read through a cursor in batches, so memory stays bounded. Before the
 * commit, each table's row count and a digest of its rows in key order must
 * be equal on both sides; any difference rolls the whole move back.
 * Identity sequences continue where PGlite left off.
 */
import type { PGlite, Transaction } from '@electric-sql/pglite';
import pg from 'pg';
import { isPlainIdentifier } from './database.ts';

/** How many rows one batch carries from PGlite to PostgreSQL. */
const BATCH_ROWS = 1_000;
const MIGRATION_TABLES = new Set(['kysely_migration', 'kysely_migration_lock']);

/**
 * Thrown when the move cannot start or its copy does not verify; nothing is
 * written to the target then.
 *
 * @example
 * try { await moveToPostgres(source, url); } catch (e) { if (e instanceof MoveError) console.error(e.message); }
 */
export class MoveError extends Error {
  override readonly name = 'MoveError';
}

/** What a finished move copied. */
export interface MoveReport {
  tables: { name: string; rows: number }[];
  sequences: number;
}

interface TableShape {
  name: string;
  /** Columns the copy writes: every column except generated ones. */
  columns: string[];
  /** Primary-key columns, the order rows are read and digested in. */
  key: string[];
  hasIdentity: boolean;
}

/**
 * Copies every table of `source` (migrated PGlite) into the PostgreSQL
 * database at `targetUrl` (migrated to the same migrations, with no rows in
 * any table), in one transaction, verified before it commits.
 *
 * @example
 * const report = await moveToPostgres(pglite, 'postgres://clinicbridge@db/clinicbridge');
 * report.tables; // [{ name: 'patients', rows: 42 }, …]
 */
export async function moveToPostgres(
  source: PGlite,
  targetUrl: string,
  options: { searchPath?: string } = {},
): Promise<MoveReport> {
  const target = new pg.Client({
    connectionString: targetUrl,
    ...(options.searchPath ? { options: `-c search_path=${options.searchPath}` } : {}),
  });
  await target.connect();
  try {
    await target.query(`set timezone = 'UTC'`);
    await source.query(`set timezone = 'UTC'`);
    await sameMigrations(source, target);
    const tables = await tableShapes(target);
    await sameTables(source, tables);
    await targetIsEmpty(target, tables);

    await target.query('begin');
    try {
      await target.query('set local session_replication_role = replica').catch((error: unknown) => {
        throw new MoveError(
          `The target role cannot copy as a replica (${(error as Error).message}). Run the move as the database owner with superuser rights, or grant it SET on session_replication_role (PostgreSQL 15+).`,
        );
      });
      const copied: MoveReport['tables'] = [];
      for (const table of tables) {
        copied.push({ name: table.name, rows: await copyTable(source, target, table) });
      }
      for (const table of tables) await verifyTable(source, target, table);
      const sequences = await copySequences(source, target);
      await target.query('commit');
      return { tables: copied, sequences };
    } catch (error) {
      await target.query('rollback').catch(() => {});
      throw error;
    }
  } finally {
    await target.end();
  }
}

async function sameMigrations(source: PGlite, target: pg.Client): Promise<void> {
  const query = 'select name from kysely_migration order by name';
  const from = (await source.query<{ name: string }>(query)).rows.map((row) => row.name);
  const to = (await target.query<{ name: string }>(query)).rows.map((row) => row.name);
  if (from.join('\n') !== to.join('\n')) {
    throw new MoveError(
      'The two databases are not at the same migrations; migrate both with this version of the server first.',
    );
  }
}

async function tableShapes(target: pg.Client): Promise<TableShape[]> {
  const { rows } = await target.query<{
    table_name: string;
    column_name: string;
    is_generated: string;
    identity_generation: string | null;
  }>(
    `select table_name, column_name, is_generated, identity_generation
       from information_schema.columns c
      where table_schema = current_schema()
        and exists (select 1 from information_schema.tables t
                     where t.table_schema = c.table_schema and t.table_name = c.table_name
                       and t.table_type = 'BASE TABLE')
      order by table_name, ordinal_position`,
  );
  const keys = await target.query<{ table_name: string; column_name: string }>(
    `select tc.table_name, kcu.column_name
       from information_schema.table_constraints tc
       join information_schema.key_column_usage kcu
         on kcu.constraint_name = tc.constraint_name and kcu.table_schema = tc.table_schema
      where tc.table_schema = current_schema() and tc.constraint_type = 'PRIMARY KEY'
      order by tc.table_name, kcu.ordinal_position`,
  );
  const shapes = new Map<string, TableShape>();
  for (const row of rows) {
    if (MIGRATION_TABLES.has(row.table_name)) continue;
    const shape = shapes.get(row.table_name) ?? {
      name: row.table_name,
      columns: [],
      key: [],
      hasIdentity: false,
    };
    if (row.is_generated === 'NEVER') shape.columns.push(row.column_name);
    if (row.identity_generation) shape.hasIdentity = true;
    shapes.set(row.table_name, shape);
  }
  for (const row of keys.rows) shapes.get(row.table_name)?.key.push(row.column_name);
  for (const shape of shapes.values()) {
    // Without a primary key, order by every column: still a total order for the digest.
    if (shape.key.length === 0) shape.key = [...shape.columns];
  }
  return [...shapes.values()];
}

async function sameTables(source: PGlite, tables: readonly TableShape[]): Promise<void> {
  const { rows } = await source.query<{ table_name: string }>(
    `select table_name from information_schema.tables
      where table_schema = current_schema() and table_type = 'BASE TABLE'`,
  );
  const names = rows.map((row) => row.table_name).filter((name) => !MIGRATION_TABLES.has(name));
  const expected = tables.map((table) => table.name);
  if ([...names].sort().join() !== [...expected].sort().join()) {
    throw new MoveError('The two databases do not have the same tables.');
  }
}

async function targetIsEmpty(target: pg.Client, tables: readonly TableShape[]): Promise<void> {
  for (const table of tables) {
    const { rows } = await target.query(`select 1 from ${ident(table.name)} limit 1`);
    if (rows.length > 0) {
      throw new MoveError(
        `The target already holds data (table ${table.name}); move only into a database with no rows.`,
      );
    }
  }
}

async function copyTable(source: PGlite, target: pg.Client, table: TableShape): Promise<number> {
  const columns = table.columns.map(ident).join(', ');
  const insert = `insert into ${ident(table.name)} (${columns})${
    table.hasIdentity ? ' overriding system value' : ''
  } select ${columns} from json_populate_recordset(null::${ident(table.name)}, $1::json)`;
  let copied = 0;
  await source.transaction(async (tx: Transaction) => {
    await tx.query(
      `declare move_rows no scroll cursor for
         select row_to_json(t)::text as row from ${ident(table.name)} t
          order by ${table.key.map(ident).join(', ')}`,
    );
    for (;;) {
      const batch = await tx.query<{ row: string }>(`fetch ${BATCH_ROWS} from move_rows`);
      if (batch.rows.length === 0) break;
      await target.query(insert, [`[${batch.rows.map((r) => r.row).join(',')}]`]);
      copied += batch.rows.length;
    }
    await tx.query('close move_rows');
  });
  return copied;
}

async function verifyTable(source: PGlite, target: pg.Client, table: TableShape): Promise<void> {
  const columns = table.columns.map((column) => `t.${ident(column)}`).join(', ');
  const digest = `select count(*)::int as rows,
      coalesce(md5(string_agg(json_build_array(${columns})::text, E'\\n'
        order by ${table.key.map((column) => `t.${ident(column)}`).join(', ')})), '') as digest
    from ${ident(table.name)} t`;
  const from = (await source.query<{ rows: number; digest: string }>(digest)).rows[0];
  const to = (await target.query<{ rows: number; digest: string }>(digest)).rows[0];
  if (!from || !to || from.rows !== to.rows || from.digest !== to.digest) {
    throw new MoveError(
      `Table ${table.name} differs after the copy (${from?.rows ?? 0} rows in PGlite, ${to?.rows ?? 0} in PostgreSQL); nothing was moved.`,
    );
  }
}

async function copySequences(source: PGlite, target: pg.Client): Promise<number> {
  const { rows } = await source.query<{ name: string; last_value: string | null }>(
    `select sequencename as name, last_value::text as last_value
       from pg_sequences where schemaname = current_schema()`,
  );
  let set = 0;
  for (const row of rows) {
    if (row.last_value === null) continue;
    await target.query('select setval($1::regclass, $2::bigint, true)', [
      ident(row.name),
      row.last_value,
    ]);
    set++;
  }
  return set;
}

function ident(name: string): string {
  if (!isPlainIdentifier(name)) throw new MoveError(`unexpected identifier "${name}"`);
  return `"${name}"`;
}
