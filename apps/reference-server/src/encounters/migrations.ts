/**
 * The encounters tables: one row per encounter (found by the hospital's
 * visit number within its assigning authority) and its location history.
 */
import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not track today's DB type.
type AnyDb = Kysely<any>;
const ts = 'timestamptz';

async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('encounters')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('patient_id', 'text', (c) => c.notNull().references('patients.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('class', 'text', (c) => c.notNull())
    .addColumn('visit_number', 'text')
    .addColumn('visit_authority', 'text')
    .addColumn('point_of_care', 'text')
    .addColumn('room', 'text')
    .addColumn('bed', 'text')
    .addColumn('facility', 'text')
    .addColumn('building', 'text')
    .addColumn('floor', 'text')
    .addColumn('hospital_service', 'text')
    .addColumn('department_ref', 'text')
    .addColumn('attending_provider_code', 'text')
    .addColumn('attending_clinician_ref', 'text')
    .addColumn('admitted_at', ts)
    .addColumn('discharged_at', ts)
    .addColumn('discharge_disposition', 'text')
    .addColumn('invoice_id', 'text', (c) => c.references('invoices.id'))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .addCheckConstraint(
      'encounters_status',
      sql`status in ('planned', 'in_progress', 'finished', 'cancelled')`,
    )
    .execute();
  await db.schema
    .createIndex('encounters_tenant_list_idx')
    .on('encounters')
    .columns(['tenant_id', 'created_at', 'id'])
    .execute();
  await db.schema
    .createIndex('encounters_patient_idx')
    .on('encounters')
    .columns(['tenant_id', 'patient_id', 'created_at'])
    .execute();
  await sql`create unique index encounters_visit_idx on encounters (tenant_id, visit_authority, visit_number) where visit_number is not null`.execute(
    db,
  );
  await db.schema
    .createTable('encounter_locations')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('encounter_id', 'text', (c) => c.notNull().references('encounters.id'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('point_of_care', 'text')
    .addColumn('room', 'text')
    .addColumn('bed', 'text')
    .addColumn('facility', 'text')
    .addColumn('building', 'text')
    .addColumn('floor', 'text')
    .addColumn('started_at', ts, (c) => c.notNull())
    .addColumn('ended_at', ts)
    .addPrimaryKeyConstraint('encounter_locations_pk', ['encounter_id', 'seq'])
    .execute();
}

async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('encounter_locations').ifExists().execute();
  await db.schema.dropTable('encounters').ifExists().execute();
}

/**
 * Migrations of the encounters feature.
 *
 * @example
 * const migrations = { ...coreMigrations, ...encounterMigrations };
 */
export const encounterMigrations: Record<string, Migration> = {
  '0310-encounters': { up, down },
};
