/**
 * Tables of the CRM feature: `crm_sync_records` (queued by the bus
 * migration) becomes a durable send queue with attempts, back-off, leases
 * and its outcome; `crm_links` remembers which CRM record a platform
 * person became, so the CRM's webhooks can be traced back to a lead.
 * (Leads' marketing consent is the imports feature's migration 0436.)
 */
import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not track today's DB type.
type AnyDb = Kysely<any>;
const ts = 'timestamptz';

async function up(db: AnyDb): Promise<void> {
  await db.schema
    .alterTable('crm_sync_records')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', ts)
    .addColumn('lease_until', ts)
    .addColumn('crm_record_id', 'text')
    .addColumn('manual_task_id', 'text')
    .addColumn('detail', 'text')
    .addColumn('updated_at', ts)
    .execute();
  await sql`create index crm_sync_records_due_idx on crm_sync_records (created_at) where status = 'queued'`.execute(
    db,
  );
  await db.schema
    .createTable('crm_links')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('object_type', 'text', (c) => c.notNull())
    .addColumn('crm_record_id', 'text', (c) => c.notNull())
    .addColumn('subject_type', 'text', (c) => c.notNull())
    .addColumn('subject_ref', 'text', (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('crm_links_pk', [
      'tenant_id',
      'object_type',
      'crm_record_id',
      'subject_ref',
    ])
    .execute();
  await db.schema
    .createIndex('crm_links_record_idx')
    .on('crm_links')
    .columns(['object_type', 'crm_record_id'])
    .execute();
}

async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('crm_links').ifExists().execute();
  await sql`drop index if exists crm_sync_records_due_idx`.execute(db);
  await db.schema
    .alterTable('crm_sync_records')
    .dropColumn('attempts')
    .dropColumn('next_attempt_at')
    .dropColumn('lease_until')
    .dropColumn('crm_record_id')
    .dropColumn('manual_task_id')
    .dropColumn('detail')
    .dropColumn('updated_at')
    .execute();
}

/**
 * The CRM feature's migrations.
 *
 * @example
 * const features: Feature[] = [{ name: 'crm', migrations: crmMigrations }];
 */
export const crmMigrations: Record<string, Migration> = {
  '0655-crm-sync-sends': { up, down },
};
