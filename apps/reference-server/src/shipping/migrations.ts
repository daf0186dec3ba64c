/**
 * The table of the shipping feature: one row per shipment, a tracker
 * belonging to one shipment only, and the index the poll job reads.
 */
import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not track today's DB type.
type AnyDb = Kysely<any>;
const ts = 'timestamptz';

async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('shipments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('case_id', 'text', (c) => c.notNull())
    .addColumn('contents', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('provider_shipment_id', 'text')
    .addColumn('tracker_id', 'text', (c) => c.unique())
    .addColumn('carrier', 'text')
    .addColumn('service', 'text')
    .addColumn('tracking_code', 'text')
    .addColumn('label_url', 'text')
    .addColumn('amount_minor', 'bigint')
    .addColumn('currency', 'text')
    .addColumn('estimated_delivery', 'text')
    .addColumn('manual_task_id', 'text')
    .addColumn('next_poll_at', ts)
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('shipments_tenant_idx')
    .on('shipments')
    .columns(['tenant_id', 'created_at', 'id'])
    .execute();
  await sql`create index shipments_poll_idx on shipments (next_poll_at) where next_poll_at is not null`.execute(
    db,
  );
}

async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('shipments').ifExists().execute();
}

/**
 * The shipping feature's migrations.
 *
 * @example
 * const features: Feature[] = [{ name: 'shipping', migrations: shippingMigrations }];
 */
export const shippingMigrations: Record<string, Migration> = {
  '0570-shipments': { up, down },
};
