/**
 * Encounter: the tenant's encounters (from the hospital's ADT feed) as FHIR
 * R4 `Encounter`. Status `in_progress` → `in-progress`; the class is the
 * v3 ActCode of the HL7 v2 patient class where one exists (inpatient IMP,
 * outpatient AMB, emergency EMER, pre-admit PRENC), else the v2 table 0004
 * code; the admission and discharge times are the period; every ward, room
 * and bed the patient was in is a location with its period; the attending
 * doctor a participant (ATND) by identifier. Search: `_id`, `identifier`
 * (the ClinicBridge id or the hospital's visit number), `patient`,
 * `subject`, `date` (the admission), `status`.
 */
import type { Encounter as ApiEncounter } from '@clinicbridge/sdk/contract';
import type { Encounter } from '@medplum/fhirtypes';
import type { Kysely } from 'kysely';
import type { DB, Row } from '../../db/schema.ts';
import { requireEncounter, toEncounter } from '../../encounters/service.ts';
import { listPage } from '../../kernel/list.ts';
import type { Filter } from '../../kernel/owned.ts';
import { ApiError } from '../../kernel/problem.ts';
import { dateFilters, referencedId, single, token } from '../search.ts';
import { type FhirSource, fhirId, IDENTIFIER_SYSTEMS, internalId, searchId } from '../source.ts';

const VISIT_NUMBER = 'https://clinicbridge.dev/fhir/sid/visit-number';

const statuses = {
  planned: 'planned',
  in_progress: 'in-progress',
  finished: 'finished',
  cancelled: 'cancelled',
} as const satisfies Record<ApiEncounter['status'], Encounter['status']>;

const actCodes: Partial<Record<ApiEncounter['class'], [string, string]>> = {
  inpatient: ['IMP', 'inpatient encounter'],
  outpatient: ['AMB', 'ambulatory'],
  emergency: ['EMER', 'emergency'],
  preadmit: ['PRENC', 'pre-admission'],
};
const v2PatientClass: Record<ApiEncounter['class'], string> = {
  inpatient: 'I',
  outpatient: 'O',
  emergency: 'E',
  preadmit: 'P',
  recurring: 'R',
  obstetrics: 'B',
  commercial: 'C',
  not_applicable: 'N',
  unknown: 'U',
};

function classCoding(value: ApiEncounter['class']): Encounter['class'] {
  const act = actCodes[value];
  return act
    ? { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: act[0], display: act[1] }
    : { system: 'http://terminology.hl7.org/CodeSystem/v2-0004', code: v2PatientClass[value] };
}

function place(p: {
  pointOfCare: string | null;
  room: string | null;
  bed: string | null;
  facility: string | null;
}) {
  return [p.facility, p.pointOfCare, p.room, p.bed]
    .filter((x) => x !== null && x !== '')
    .join(' / ');
}

/**
 * An encounter (as the API shows it) as a FHIR Encounter.
 *
 * @example
 * toFhirEncounter(encounter).status; // 'in-progress'
 */
export function toFhirEncounter(encounter: ApiEncounter): Encounter {
  const attending = encounter.attendingClinicianRef ?? encounter.attendingProviderCode;
  return {
    resourceType: 'Encounter',
    id: fhirId(encounter.id),
    meta: { lastUpdated: encounter.updatedAt },
    identifier: [
      { system: IDENTIFIER_SYSTEMS.encounter, value: encounter.id },
      ...(encounter.visitNumber
        ? [{ use: 'usual' as const, system: VISIT_NUMBER, value: encounter.visitNumber }]
        : []),
    ],
    status: statuses[encounter.status],
    class: classCoding(encounter.class),
    ...(encounter.hospitalService
      ? {
          serviceType: {
            coding: [
              {
                system: 'http://terminology.hl7.org/CodeSystem/v2-0069',
                code: encounter.hospitalService,
              },
            ],
          },
        }
      : {}),
    subject: { reference: `Patient/${fhirId(encounter.patientId)}`, type: 'Patient' },
    ...(attending
      ? {
          participant: [
            {
              type: [
                {
                  coding: [
                    {
                      system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
                      code: 'ATND',
                    },
                  ],
                },
              ],
              individual: {
                type: 'Practitioner',
                identifier: { system: IDENTIFIER_SYSTEMS.clinician, value: attending },
              },
            },
          ],
        }
      : {}),
    ...(encounter.admittedAt || encounter.dischargedAt
      ? {
          period: {
            ...(encounter.admittedAt ? { start: encounter.admittedAt } : {}),
            ...(encounter.dischargedAt ? { end: encounter.dischargedAt } : {}),
          },
        }
      : {}),
    ...(encounter.dischargeDisposition
      ? {
          hospitalization: {
            dischargeDisposition: {
              coding: [
                {
                  system: 'http://terminology.hl7.org/CodeSystem/v2-0112',
                  code: encounter.dischargeDisposition,
                },
              ],
            },
          },
        }
      : {}),
    ...(encounter.locations.length > 0
      ? {
          location: encounter.locations
            .filter((l) => place(l) !== '')
            .map((l) => ({
              location: { display: place(l) },
              status: l.endedAt ? ('completed' as const) : ('active' as const),
              period: { start: l.startedAt, ...(l.endedAt ? { end: l.endedAt } : {}) },
            })),
        }
      : {}),
  };
}

/**
 * Encounter rows with their location periods, as the API shows them.
 *
 * @example
 * const [encounter] = await withLocations(db, tenantId, [row]);
 */
export async function withLocations(
  db: Kysely<DB>,
  tenantId: string,
  rows: readonly Row<'encounters'>[],
) {
  if (rows.length === 0) return [];
  const locations = await db
    .selectFrom('encounter_locations')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where(
      'encounter_id',
      'in',
      rows.map((r) => r.id),
    )
    .orderBy('encounter_id')
    .orderBy('seq')
    .execute();
  return rows.map((row) =>
    toEncounter(
      row,
      locations.filter((l) => l.encounter_id === row.id),
    ),
  );
}

function statusFilter(value: string | undefined): Filter | undefined {
  if (value === undefined) return undefined;
  const found = Object.entries(statuses).find(([, fhir]) => fhir === value)?.[0];
  if (found) return ['status', '=', found];
  const known = ['arrived', 'triaged', 'onleave', 'entered-in-error', 'unknown'];
  if (!known.includes(value))
    throw new ApiError('validation_failed', `"${value}" is not an encounter status.`);
  return ['status', '=', ''];
}

function identifierFilter(value: string | undefined): Filter | undefined {
  if (value === undefined) return undefined;
  const { system, code } = token(value);
  if (system === VISIT_NUMBER) return ['visit_number', '=', code];
  if (
    system === IDENTIFIER_SYSTEMS.encounter ||
    (system === undefined && code.startsWith('enc_'))
  ) {
    return ['id', '=', code];
  }
  if (system === undefined) return ['visit_number', '=', code];
  return ['id', '=', ''];
}

/**
 * The Encounter source.
 *
 * @example
 * const { resources } = await encounterSource.search({ db, auth }, { patient: ['Patient/pat-…'] }, { limit: 20, cursor: undefined });
 */
export const encounterSource: FhirSource<Encounter> = {
  type: 'Encounter',
  scope: 'read:encounters',
  searchParams: ['_id', 'identifier', 'patient', 'subject', 'date', 'status'],
  async read({ db, auth }, id) {
    const row = await requireEncounter(db, auth.tenantId, internalId(id, 'enc', 'Encounter'));
    const [encounter] = await withLocations(db, auth.tenantId, [row]);
    if (!encounter) throw new ApiError('not_found', `No Encounter ${id} in this tenant.`);
    return toFhirEncounter(encounter);
  },
  async search({ db, auth }, query, page) {
    const byId = single(query, '_id');
    const patient = single(query, 'patient') ?? single(query, 'subject');
    const result = await listPage(
      db,
      'encounters',
      auth.tenantId,
      page,
      [
        byId !== undefined && ['id', '=', searchId(byId, 'enc')],
        patient !== undefined && [
          'patient_id',
          '=',
          searchId(referencedId(patient, 'Patient'), 'pat'),
        ],
        identifierFilter(single(query, 'identifier')),
        statusFilter(single(query, 'status')),
        ...dateFilters('admitted_at', query.date),
      ],
      (row) => row,
    );
    const encounters = await withLocations(db, auth.tenantId, result.data);
    return { resources: encounters.map(toFhirEncounter), nextCursor: result.nextCursor };
  },
};
