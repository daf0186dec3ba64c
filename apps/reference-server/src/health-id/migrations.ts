/**
 * Tables of the health-id feature: one ABHA link per patient (the ABHA
 * number kept masked: only the gateway call needs it whole), and the
 * patient's consent requests with their status and terms. Gateway ids are
 * unique where set, so a callback names one row.
 */
import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not track today's DB type.
type AnyDb = Kysely<any>;
const ts = 'timestamptz';

async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('abha_links')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('patient_id', 'text', (c) => c.notNull())
    .addColumn('abha_number_masked', 'text', (c) => c.notNull())
    .addColumn('abha_address', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text')
    .addColumn('manual_task_id', 'text')
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('abha_links_pk', ['tenant_id', 'patient_id'])
    .execute();
  await db.schema
    .createTable('health_consents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('patient_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('hi_types', 'jsonb', (c) => c.notNull())
    .addColumn('date_from', ts, (c) => c.notNull())
    .addColumn('date_to', ts, (c) => c.notNull())
    .addColumn('expires_at', ts, (c) => c.notNull())
    .addColumn('request_id', 'text')
    .addColumn('consent_request_id', 'text')
    .addColumn('artefact_id', 'text')
    .addColumn('manual_task_id', 'text')
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('health_consents_patient_idx')
    .on('health_consents')
    .columns(['tenant_id', 'patient_id', 'status'])
    .execute();
  await sql`create unique index health_consents_request_idx on health_consents (request_id) where request_id is not null`.execute(
    db,
  );
  await sql`create unique index health_consents_consent_request_idx on health_consents (consent_request_id) where consent_request_id is not null`.execute(
    db,
  );
}

async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('health_consents').ifExists().execute();
  await db.schema.dropTable('abha_links').ifExists().execute();
}

/**
 * The health-id feature's migrations.
 *
 * @example
 * const features: Feature[] = [{ name: 'health-id', migrations: healthIdMigrations }];
 */
export const healthIdMigrations: Record<string, Migration> = {
  '0640-health-id': { up, down },
};
