/** The catalogue feature's migration: practitioners, services, prices, slots and slot bookings. */
import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not track today's DB type.
type AnyDb = Kysely<any>;
const ts = 'timestamptz';

async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('practitioners')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('ref', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('specialty', 'text')
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .addUniqueConstraint('practitioners_ref_key', ['tenant_id', 'ref'])
    .execute();
  await db.schema
    .createTable('services')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('duration_minutes', 'integer')
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .addUniqueConstraint('services_code_key', ['tenant_id', 'code'])
    .execute();
  await db.schema
    .createTable('service_prices')
    .addColumn('service_id', 'text', (c) => c.notNull().references('services.id'))
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('clinic_ref', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull().check(sql`amount >= 0`))
    .addColumn('updated_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('service_prices_pkey', ['service_id', 'clinic_ref', 'currency'])
    .execute();
  await db.schema
    .createTable('slots')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('service_id', 'text', (c) => c.notNull().references('services.id'))
    .addColumn('practitioner_id', 'text', (c) => c.notNull().references('practitioners.id'))
    .addColumn('clinic_ref', 'text')
    .addColumn('starts_at', ts, (c) => c.notNull())
    .addColumn('ends_at', ts, (c) => c.notNull())
    .addColumn('capacity', 'integer', (c) => c.notNull())
    .addColumn('booked', 'integer', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    // The database, not only the code, refuses overbooking.
    .addCheckConstraint('slots_capacity_check', sql`booked >= 0 and booked <= capacity`)
    .addUniqueConstraint('slots_practitioner_start_key', [
      'tenant_id',
      'practitioner_id',
      'service_id',
      'starts_at',
    ])
    .execute();
  await db.schema
    .createIndex('slots_search_idx')
    .on('slots')
    .columns(['tenant_id', 'service_id', 'starts_at', 'id'])
    .execute();
  await db.schema
    .createTable('slot_bookings')
    .addColumn('appointment_id', 'text', (c) => c.primaryKey().references('appointments.id'))
    .addColumn('slot_id', 'text', (c) => c.notNull().references('slots.id'))
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
}

async function down(db: AnyDb): Promise<void> {
  for (const table of ['slot_bookings', 'slots', 'service_prices', 'services', 'practitioners']) {
    await db.schema.dropTable(table).execute();
  }
}

// A cancelled appointment gives its place back once: the booking is kept, marked released.
async function upReleased(db: AnyDb): Promise<void> {
  await db.schema.alterTable('slot_bookings').addColumn('released_at', ts).execute();
}

async function downReleased(db: AnyDb): Promise<void> {
  await db.schema.alterTable('slot_bookings').dropColumn('released_at').execute();
}

/**
 * Migrations of the catalogue feature.
 *
 * @example
 * const migrations = { ...catalogueMigrations };
 */
export const catalogueMigrations: Record<string, Migration> = {
  '0420-catalogue': { up, down },
  '0421-catalogue-slot-release': { up: upReleased, down: downReleased },
};
