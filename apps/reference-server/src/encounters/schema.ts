/**
 * Table types of encounters, added to the server's `DB` by module
 * augmentation (see src/db/schema.ts).
 */

/**
 * One encounter of a patient: a stay or a visit as the hospital's ADT feed
 * tells it. The current location is kept flat for lists; its history is in
 * `encounter_locations`.
 *
 * @example
 * await db.selectFrom('encounters').selectAll().where('status', '=', 'in_progress').execute();
 */
export interface EncountersTable {
  id: string;
  tenant_id: string;
  patient_id: string;
  status: 'planned' | 'in_progress' | 'finished' | 'cancelled';
  class: string;
  /** PV1-19.1 and its assigning authority (PV1-19.4, else the sending facility). */
  visit_number: string | null;
  visit_authority: string | null;
  point_of_care: string | null;
  room: string | null;
  bed: string | null;
  facility: string | null;
  building: string | null;
  floor: string | null;
  hospital_service: string | null;
  department_ref: string | null;
  attending_provider_code: string | null;
  attending_clinician_ref: string | null;
  admitted_at: Date | null;
  discharged_at: Date | null;
  discharge_disposition: string | null;
  invoice_id: string | null;
  created_at: Date;
  updated_at: Date;
}

/**
 * One place an encounter has been (a ward, room and bed), from when to when.
 *
 * @example
 * await db.selectFrom('encounter_locations').selectAll().where('encounter_id', '=', id).orderBy('seq').execute();
 */
export interface EncounterLocationsTable {
  tenant_id: string;
  encounter_id: string;
  seq: number;
  point_of_care: string | null;
  room: string | null;
  bed: string | null;
  facility: string | null;
  building: string | null;
  floor: string | null;
  started_at: Date;
  ended_at: Date | null;
}

declare module '../db/schema.ts' {
  interface DB {
    encounters: EncountersTable;
    encounter_locations: EncounterLocationsTable;
  }
}
