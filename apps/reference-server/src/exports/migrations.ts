/**
 * The exports feature's migration: `export_snapshots`, append-only by
 * trigger (a snapshot is never recalculated or rewritten), one snapshot per
 * closed period, kind and format.
 */
import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not track today's DB type.
type AnyDb = Kysely<any>;
const ts = 'timestamptz';

async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('export_snapshots')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('period_from', ts)
    .addColumn('period_to', ts)
    .addColumn('closed', 'boolean', (c) => c.notNull())
    .addColumn('parameters', 'jsonb', (c) => c.notNull())
    .addColumn('generator_version', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('row_count', 'integer', (c) => c.notNull())
    .addColumn('storage_key', 'text', (c) => c.notNull())
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('export_snapshots_tenant_list_idx')
    .on('export_snapshots')
    .columns(['tenant_id', 'created_at', 'id'])
    .execute();
  await sql`create unique index export_snapshots_closed_idx on export_snapshots
    (tenant_id, kind, format, coalesce(period_from, '-infinity'::timestamptz), period_to) where closed`.execute(
    db,
  );
  await sql`
    create function export_snapshots_immutable() returns trigger language plpgsql as $$
    begin
      raise exception 'export snapshots are immutable; take a new snapshot instead';
    end $$`.execute(db);
  await sql`create trigger export_snapshots_immutable before update or delete on export_snapshots
    for each row execute function export_snapshots_immutable()`.execute(db);
}

async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('export_snapshots').execute();
  await sql`drop function if exists export_snapshots_immutable()`.execute(db);
}

/**
 * Migrations of the exports feature.
 *
 * @example
 * const migrations = { ...exportsMigrations };
 */
export const exportsMigrations: Record<string, Migration> = {
  '0410-exports': { up, down },
};
