/**
 * Table types of the HL7 v2 feature, added to the server's `DB` by module
 * augmentation (see src/db/schema.ts).
 */
import type { Generated } from 'kysely';
import type { Json } from '../db/schema.ts';

/**
 * A sending facility (MSH-4, optionally with its application, MSH-3) and
 * the tenant its messages belong to, the addresses it may connect from, the
 * processing id it must send and its clock's UTC offset.
 *
 * @example
 * await db.selectFrom('hl7_facilities').selectAll().where('sending_facility', '=', 'CITYHOSP').execute();
 */
export interface Hl7FacilitiesTable {
  id: string;
  tenant_id: string;
  sending_facility: string;
  /** Null: any application of the facility. */
  sending_application: string | null;
  /** IP addresses and CIDR ranges the facility may send from. */
  allowed_sources: Json<string[]>;
  processing_id: string;
  /** The facility's offset from UTC, for date/times sent without one. */
  utc_offset_minutes: number;
  created_at: Date;
  updated_at: Date;
}

/**
 * State of an inbox message: stored and acknowledged, then processed once.
 *
 * @example
 * const status: Hl7MessageStatus = 'processed';
 */
export type Hl7MessageStatus = 'received' | 'processed' | 'failed';

/**
 * The durable inbox: every accepted message, raw, keyed by (MSH-3, MSH-4,
 * MSH-10). It is written before the ACK goes out; a repeat finds its row.
 *
 * @example
 * await db.selectFrom('hl7_messages').select(['control_id', 'status']).where('status', '=', 'failed').execute();
 */
export interface Hl7MessagesTable {
  id: string;
  /** Arrival order; processing follows it. */
  seq: Generated<number>;
  tenant_id: string;
  facility_id: string;
  sending_application: string;
  sending_facility: string;
  control_id: string;
  message_type: string;
  trigger_event: string;
  version: string;
  raw: string;
  source_address: string;
  status: Hl7MessageStatus;
  reason: string | null;
  attempts: number;
  received_at: Date;
  processed_at: Date | null;
}

/**
 * What the listener refused or could not read, for operators: unparseable
 * bytes, bytes outside frames, and messages answered AE or AR. One row per
 * distinct content from one address, counted on repeats.
 *
 * @example
 * await db.selectFrom('hl7_rejects').select(['kind', 'reason', 'count']).orderBy('last_seen_at', 'desc').execute();
 */
export interface Hl7RejectsTable {
  id: string;
  tenant_id: string | null;
  source_address: string;
  kind: 'unparseable' | 'unframed' | 'error' | 'rejected';
  ack_code: string | null;
  reason: string;
  sending_application: string | null;
  sending_facility: string | null;
  control_id: string | null;
  raw: string;
  raw_sha256: string;
  byte_length: number;
  count: number;
  first_seen_at: Date;
  last_seen_at: Date;
}

/**
 * Patient identity: a hospital identifier (an MRN within its assigning
 * authority) and the patient it names here.
 *
 * @example
 * await db.selectFrom('hl7_patient_identifiers').select('patient_id').where('authority', '=', 'CITYHOSP').where('identifier', '=', 'MRN001').execute();
 */
export interface Hl7PatientIdentifiersTable {
  tenant_id: string;
  authority: string;
  identifier: string;
  identifier_type: string;
  patient_id: string;
  created_at: Date;
  updated_at: Date;
}

/**
 * A patient merged into another (A40): the record of who became whom.
 *
 * @example
 * await db.selectFrom('hl7_patient_merges').select('into_patient_id').where('from_patient_id', '=', 'pat_…').execute();
 */
export interface Hl7PatientMergesTable {
  tenant_id: string;
  from_patient_id: string;
  into_patient_id: string;
  message_id: string;
  merged_at: Date;
}

/**
 * A hospital provider id (XCN-1) and the tenant's clinician it stands for.
 *
 * @example
 * await db.selectFrom('hl7_provider_mappings').select('clinician_ref').where('provider_code', '=', 'D123').execute();
 */
export interface Hl7ProviderMappingsTable {
  tenant_id: string;
  provider_code: string;
  clinician_ref: string;
  created_at: Date;
  updated_at: Date;
}

/**
 * A hospital service (PV1-10) or ward (PV1-3.1) code and the tenant's department.
 *
 * @example
 * await db.selectFrom('hl7_department_mappings').select('department_ref').where('code', '=', 'MED').execute();
 */
export interface Hl7DepartmentMappingsTable {
  tenant_id: string;
  code: string;
  department_ref: string;
  label: string | null;
  created_at: Date;
  updated_at: Date;
}

/**
 * A billable code (a hospital service per day of stay, a procedure each
 * time) and its price in the tenant's catalogue.
 *
 * @example
 * await db.selectFrom('hl7_service_mappings').selectAll().where('code', '=', 'MED').execute();
 */
export interface Hl7ServiceMappingsTable {
  tenant_id: string;
  code: string;
  label: string;
  unit: 'day' | 'each';
  unit_price: number;
  currency: string;
  tax_rate_bps: number;
  created_at: Date;
  updated_at: Date;
}

/**
 * A procedure (PR1) reported for an encounter: billed at discharge when its
 * code has a service mapping. One row per code and occurrence.
 *
 * @example
 * await db.selectFrom('hl7_encounter_charges').select('code').where('encounter_id', '=', 'enc_…').execute();
 */
export interface Hl7EncounterChargesTable {
  tenant_id: string;
  encounter_id: string;
  code: string;
  /** PR1-5 as sent (or the PR1 set id), so a resent procedure is not billed twice. */
  occurrence: string;
  message_id: string;
  created_at: Date;
}

declare module '../db/schema.ts' {
  interface DB {
    hl7_facilities: Hl7FacilitiesTable;
    hl7_messages: Hl7MessagesTable;
    hl7_rejects: Hl7RejectsTable;
    hl7_patient_identifiers: Hl7PatientIdentifiersTable;
    hl7_patient_merges: Hl7PatientMergesTable;
    hl7_provider_mappings: Hl7ProviderMappingsTable;
    hl7_department_mappings: Hl7DepartmentMappingsTable;
    hl7_service_mappings: Hl7ServiceMappingsTable;
    hl7_encounter_charges: Hl7EncounterChargesTable;
  }
}
