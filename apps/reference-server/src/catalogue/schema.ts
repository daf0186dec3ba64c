/**
 * Table types of the catalogue, added to the server's `DB` by module
 * augmentation (see src/db/schema.ts).
 */
import type { ColumnType } from 'kysely';

/**
 * A practitioner, keyed in the tenant by the clinic's own `ref`.
 *
 * @example
 * await db.selectFrom('practitioners').selectAll().where('ref', '=', 'DR-7').execute();
 */
export interface PractitionersTable {
  id: string;
  tenant_id: string;
  ref: string;
  name: string;
  specialty: string | null;
  created_at: Date;
  updated_at: Date;
}

/**
 * A service, keyed in the tenant by the clinic's own `code`.
 *
 * @example
 * await db.selectFrom('services').selectAll().where('code', '=', 'CONS').execute();
 */
export interface ServicesTable {
  id: string;
  tenant_id: string;
  code: string;
  name: string;
  duration_minutes: number | null;
  created_at: Date;
  updated_at: Date;
}

/**
 * A service's price at one clinic in one currency, in minor units (bigint: read as string on PostgreSQL).
 *
 * @example
 * await db.selectFrom('service_prices').selectAll().where('service_id', '=', id).execute();
 */
export interface ServicePricesTable {
  service_id: string;
  tenant_id: string;
  clinic_ref: string;
  currency: string;
  amount: ColumnType<string | number, number, number>;
  updated_at: Date;
}

/**
 * A bookable slot; `booked` never exceeds `capacity` (a check constraint).
 *
 * @example
 * await db.selectFrom('slots').selectAll().where('service_id', '=', id).execute();
 */
export interface SlotsTable {
  id: string;
  tenant_id: string;
  service_id: string;
  practitioner_id: string;
  clinic_ref: string | null;
  starts_at: Date;
  ends_at: Date;
  capacity: number;
  booked: number;
  created_at: Date;
  updated_at: Date;
}

/**
 * Which slot an appointment took a place of.
 *
 * @example
 * await db.selectFrom('slot_bookings').select('slot_id').where('appointment_id', '=', id).execute();
 */
export interface SlotBookingsTable {
  appointment_id: string;
  slot_id: string;
  tenant_id: string;
  created_at: Date;
  /** When the place was given back (the appointment was cancelled); null while it holds it. */
  released_at: Date | null;
}

declare module '../db/schema.ts' {
  interface DB {
    practitioners: PractitionersTable;
    services: ServicesTable;
    service_prices: ServicePricesTable;
    slots: SlotsTable;
    slot_bookings: SlotBookingsTable;
  }
}
