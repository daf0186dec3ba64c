/**
 * Table types of the clinic-software feature, added to the server's `DB` by
 * module augmentation (see src/db/schema.ts).
 */
import type { Json } from '../db/schema.ts';

/**
 * What a push sends: a deal or an itinerary, in the port's shape.
 *
 * @example
 * const kind: ClinicPushKind = 'deal';
 */
export type ClinicPushKind = 'deal' | 'itinerary';

/**
 * One push to a clinic's own software, queued by the subscriber in the
 * transaction of the event it comes from and sent by the push job.
 * `payload` is the port's input, already minimised (references, times,
 * places, prices). `superseded` is an itinerary a newer one replaced
 * before it was sent.
 *
 * @example
 * await db.selectFrom('clinic_pushes').selectAll().where('status', '=', 'queued').execute();
 */
export interface ClinicPushesTable {
  id: string;
  tenant_id: string;
  event_id: string;
  kind: ClinicPushKind;
  subject_ref: string;
  payload: Json<Record<string, unknown>>;
  status: 'queued' | 'delivered' | 'manual' | 'superseded';
  attempts: number;
  next_attempt_at: Date;
  lease_until: Date | null;
  remote_id: string | null;
  manual_task_id: string | null;
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
}

/**
 * One leg of a patient's confirmed flight booking, from the travel
 * provider's `booking.confirmed` event (moved by `flight.changed`, dropped
 * from the itinerary by `flight.cancelled`): what the clinic's itinerary
 * shows. Carrier, number, airports and times only.
 *
 * @example
 * await db.selectFrom('clinic_flight_legs').selectAll().where('patient_id', '=', patientId).execute();
 */
export interface ClinicFlightLegsTable {
  tenant_id: string;
  booking_id: string;
  /** The leg's place in the booking, from 1. */
  leg: number;
  patient_id: string;
  airline: string;
  flight_number: string;
  from_airport: string;
  to_airport: string;
  depart_at: Date;
  arrive_at: Date;
  status: 'confirmed' | 'cancelled';
  updated_at: Date;
}

declare module '../db/schema.ts' {
  interface DB {
    clinic_pushes: ClinicPushesTable;
    clinic_flight_legs: ClinicFlightLegsTable;
  }
}
