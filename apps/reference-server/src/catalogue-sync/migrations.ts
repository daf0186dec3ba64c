/** The catalogue sync's migration: the source's records as last merged, and the last synced version. */
import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not track today's DB type.
type AnyDb = Kysely<any>;
const ts = 'timestamptz';

async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('catalogue_sync_records')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) =>
      c.notNull().check(sql`kind in ('clinic', 'practitioner', 'package')`),
    )
    .addColumn('source_id', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text')
    .addColumn('names', 'jsonb', (c) => c.notNull())
    .addColumn('active', 'boolean', (c) => c.notNull())
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('synced_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('catalogue_sync_records_pkey', [
      'tenant_id',
      'source',
      'kind',
      'source_id',
    ])
    .execute();
  await db.schema
    .createTable('catalogue_sync_state')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('synced_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('catalogue_sync_state_pkey', ['tenant_id', 'source'])
    .execute();
}

async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('catalogue_sync_state').ifExists().execute();
  await db.schema.dropTable('catalogue_sync_records').ifExists().execute();
}

/**
 * Migrations of the catalogue sync feature.
 *
 * @example
 * const migrations = { ...catalogueSyncMigrations };
 */
export const catalogueSyncMigrations: Record<string, Migration> = {
  '0545-catalogue-sync': { up, down },
};
