/**
 * The tables of the clinic-software feature: the durable queue of pushes to
 * clinics' own software with the index the push job reads, and the flight
 * legs of patients' bookings that their itineraries include.
 */
import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not track today's DB type.
type AnyDb = Kysely<any>;
const ts = 'timestamptz';

async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('clinic_pushes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('subject_ref', 'text', (c) => c.notNull())
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', ts, (c) => c.notNull())
    .addColumn('lease_until', ts)
    .addColumn('remote_id', 'text')
    .addColumn('manual_task_id', 'text')
    .addColumn('last_error', 'text')
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  await sql`create index clinic_pushes_due_idx on clinic_pushes (next_attempt_at) where status = 'queued'`.execute(
    db,
  );
  await db.schema
    .createIndex('clinic_pushes_subject_idx')
    .on('clinic_pushes')
    .columns(['tenant_id', 'kind', 'subject_ref'])
    .execute();
}

async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('clinic_pushes').ifExists().execute();
}

async function upFlightLegs(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('clinic_flight_legs')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('booking_id', 'text', (c) => c.notNull())
    .addColumn('leg', 'integer', (c) => c.notNull())
    .addColumn('patient_id', 'text', (c) => c.notNull())
    .addColumn('airline', 'text', (c) => c.notNull())
    .addColumn('flight_number', 'text', (c) => c.notNull())
    .addColumn('from_airport', 'text', (c) => c.notNull())
    .addColumn('to_airport', 'text', (c) => c.notNull())
    .addColumn('depart_at', ts, (c) => c.notNull())
    .addColumn('arrive_at', ts, (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('clinic_flight_legs_pk', ['tenant_id', 'booking_id', 'leg'])
    .execute();
  await db.schema
    .createIndex('clinic_flight_legs_patient_idx')
    .on('clinic_flight_legs')
    .columns(['tenant_id', 'patient_id'])
    .execute();
}

async function downFlightLegs(db: AnyDb): Promise<void> {
  await db.schema.dropTable('clinic_flight_legs').ifExists().execute();
}

/**
 * The clinic-software feature's migrations.
 *
 * @example
 * const features: Feature[] = [{ name: 'clinic-software', migrations: clinicSoftwareMigrations }];
 */
export const clinicSoftwareMigrations: Record<string, Migration> = {
  '0620-clinic-pushes': { up, down },
  '0621-clinic-flight-legs': { up: upFlightLegs, down: downFlightLegs },
};
