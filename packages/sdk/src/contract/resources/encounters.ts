/**
 * Encounters: a patient's stay or visit as the hospital's ADT feed tells it
 * (HL7 v2 A01 admit, A04 register, A05 pre-admit, A02 transfer, A03
 * discharge, A11/A13 cancellations). Read-only through the API: the
 * hospital's system is their source of truth. Statuses follow FHIR
 * Encounter (`planned`, `in_progress`, `finished`, `cancelled`).
 */
import * as z from 'zod/mini';
import { listQuery, page, timestamp } from '../common.ts';
import { idSchema } from '../ids.ts';
import { defineOperation } from '../operation.ts';

/**
 * Status of an encounter.
 *
 * @example
 * encounterStatus.parse('in_progress');
 */
export const encounterStatus = z.enum(['planned', 'in_progress', 'finished', 'cancelled']);

/**
 * Class of an encounter (HL7 table 0004, PV1-2).
 *
 * @example
 * encounterClass.parse('inpatient');
 */
export const encounterClass = z.enum([
  'inpatient',
  'outpatient',
  'emergency',
  'preadmit',
  'recurring',
  'obstetrics',
  'commercial',
  'not_applicable',
  'unknown',
]);

const locationShape = {
  pointOfCare: z.nullable(z.string()),
  room: z.nullable(z.string()),
  bed: z.nullable(z.string()),
  facility: z.nullable(z.string()),
  building: z.nullable(z.string()),
  floor: z.nullable(z.string()),
};
/**
 * Where a patient is: ward (point of care), room, bed, and the facility,
 * building and floor, as the hospital codes them. Absent parts are null.
 *
 * @example
 * const bed = encounterLocation.parse({ pointOfCare: 'W4', room: '402', bed: 'B', facility: 'CITYHOSP', building: null, floor: null });
 */
export const encounterLocation = z.object(locationShape);

/**
 * One place an encounter has been, from when to when (`endedAt` null while there).
 *
 * @example
 * const stay = encounterLocationPeriod.parse({ ...location, startedAt: '2026-03-01T04:30:00.000Z', endedAt: null });
 */
export const encounterLocationPeriod = z.object({
  ...locationShape,
  startedAt: timestamp,
  endedAt: z.nullable(timestamp),
});

/**
 * An encounter.
 *
 * @example
 * const { status, location } = encounter.parse(await res.json());
 */
export const encounter = z.object({
  id: idSchema('enc'),
  patientId: idSchema('pat'),
  status: encounterStatus,
  class: encounterClass,
  /** The hospital's visit number (PV1-19), when it sent one. */
  visitNumber: z.nullable(z.string()),
  /** Where the patient is now (or was last). */
  location: z.nullable(encounterLocation),
  /** Every location of the encounter, oldest first. */
  locations: z.array(encounterLocationPeriod),
  /** The hospital service code (PV1-10), e.g. MED, SUR. */
  hospitalService: z.nullable(z.string()),
  /** This tenant's department the hospital service or ward maps to. */
  departmentRef: z.nullable(z.string()),
  /** The hospital's id of the attending doctor (PV1-7). */
  attendingProviderCode: z.nullable(z.string()),
  /** This tenant's clinician the attending doctor maps to. */
  attendingClinicianRef: z.nullable(z.string()),
  admittedAt: z.nullable(timestamp),
  dischargedAt: z.nullable(timestamp),
  /** Discharge disposition code (PV1-36). */
  dischargeDisposition: z.nullable(z.string()),
  /** The invoice drafted from the encounter's charges at discharge. */
  invoiceId: z.nullable(idSchema('inv')),
  createdAt: timestamp,
  updatedAt: timestamp,
});

/**
 * Get an encounter (`encounters.get`).
 *
 * @example
 * await client.request(encountersGet, ...args); // same arguments as client.encounters.get
 */
export const encountersGet = defineOperation({
  id: 'encounters.get',
  method: 'GET',
  path: '/api/v1/encounters/{encounterId}',
  summary: 'Get an encounter',
  scope: 'read:encounters',
  write: false,
  status: 200,
  params: z.strictObject({ encounterId: idSchema('enc') }),
  response: encounter,
});

/**
 * List encounters, optionally a patient's, by status (`encounters.list`).
 *
 * @example
 * await client.request(encountersList, ...args); // same arguments as client.encounters.list
 */
export const encountersList = defineOperation({
  id: 'encounters.list',
  method: 'GET',
  path: '/api/v1/encounters',
  summary: "List encounters, optionally a patient's",
  scope: 'read:encounters',
  write: false,
  status: 200,
  paginated: true,
  query: listQuery({
    patientId: z.optional(idSchema('pat')),
    status: z.optional(encounterStatus),
  }),
  response: page(encounter),
});

/**
 * Operations on encounters.
 *
 * @example
 * encounterOperations.list.path; // '/api/v1/encounters'
 */
export const encounterOperations = {
  get: encountersGet,
  list: encountersList,
} as const;
