/**
 * Patient: the tenant's patients as FHIR R4 `Patient`. Names, birth date
 * and contact details only for callers holding `read:patients:pii`, as on
 * `/api/v1/patients`. Search: `_id`, `identifier` (the ClinicBridge id or
 * the partner's external reference), and — for callers holding
 * `read:patients:pii`, since a match tells who is a patient here — `email`
 * and `phone`, exact matches found by blind index (the values are stored
 * encrypted).
 */
import { hasScope } from '@clinicbridge/sdk/contract';
import type { Patient } from '@medplum/fhirtypes';
import { keyRingOf } from '../../crypto/keys.ts';
import { listPage } from '../../kernel/list.ts';
import type { Filter } from '../../kernel/owned.ts';
import { ApiError } from '../../kernel/problem.ts';
import { openPatient, type PatientRecord } from '../../patients/pii.ts';
import { contactFilter, requirePatient } from '../../patients/service.ts';
import { single, token } from '../search.ts';
import { type FhirSource, fhirId, IDENTIFIER_SYSTEMS, internalId, searchId } from '../source.ts';

/**
 * A patient row as a FHIR Patient.
 *
 * @example
 * toFhirPatient(row, false).identifier; // [{ system: IDENTIFIER_SYSTEMS.patient, value: 'pat_…' }]
 */
export function toFhirPatient(row: PatientRecord, withPii: boolean): Patient {
  const telecom: NonNullable<Patient['telecom']> = [];
  if (withPii && row.phone) telecom.push({ system: 'phone', value: row.phone, use: 'mobile' });
  if (withPii && row.email) telecom.push({ system: 'email', value: row.email });
  return {
    resourceType: 'Patient',
    id: fhirId(row.id),
    meta: { lastUpdated: row.updated_at.toISOString() },
    identifier: [
      { use: 'official', system: IDENTIFIER_SYSTEMS.patient, value: row.id },
      ...(row.external_ref
        ? [
            {
              use: 'secondary' as const,
              system: IDENTIFIER_SYSTEMS.externalRef,
              value: row.external_ref,
            },
          ]
        : []),
    ],
    active: true,
    ...(withPii
      ? {
          name: [{ use: 'official' as const, family: row.family_name, given: [row.given_name] }],
          ...(row.birth_date ? { birthDate: row.birth_date } : {}),
          ...(telecom.length > 0 ? { telecom } : {}),
        }
      : {}),
    ...(row.country_code ? { address: [{ country: row.country_code }] } : {}),
    communication: [
      {
        language: { coding: [{ system: 'urn:ietf:bcp:47', code: row.preferred_language }] },
        preferred: true,
      },
    ],
  };
}

function identifierFilter(value: string | undefined): Filter | undefined {
  if (value === undefined) return undefined;
  const { system, code } = token(value);
  if (system === IDENTIFIER_SYSTEMS.externalRef) return ['external_ref', '=', code];
  if (system === IDENTIFIER_SYSTEMS.patient || (system === undefined && code.startsWith('pat_'))) {
    return ['id', '=', code];
  }
  if (system === undefined) return ['external_ref', '=', code];
  // An identifier system this server does not issue matches nothing.
  return ['id', '=', ''];
}

/**
 * The Patient source.
 *
 * @example
 * const patient = await patientSource.read({ db, auth }, 'pat-…');
 */
export const patientSource: FhirSource<Patient> = {
  type: 'Patient',
  scope: 'read:patients',
  searchParams: ['_id', 'identifier', 'email', 'phone'],
  async read({ db, auth }, id) {
    const row = await requirePatient(db, auth.tenantId, internalId(id, 'pat', 'Patient'));
    return toFhirPatient(row, hasScope(auth.scopes, 'read:patients:pii'));
  },
  async search({ db, auth }, query, page) {
    const byId = single(query, '_id');
    const withPii = hasScope(auth.scopes, 'read:patients:pii');
    const email = single(query, 'email');
    const phone = single(query, 'phone');
    if ((email !== undefined || phone !== undefined) && !withPii) {
      throw new ApiError(
        'insufficient_scope',
        'Searching patients by email or phone needs the read:patients:pii scope.',
      );
    }
    const ring = keyRingOf(db);
    const result = await listPage(
      db,
      'patients',
      auth.tenantId,
      page,
      [
        byId !== undefined && ['id', '=', searchId(byId, 'pat')],
        identifierFilter(single(query, 'identifier')),
        email !== undefined && contactFilter(db, auth.tenantId, 'email', email),
        phone !== undefined && contactFilter(db, auth.tenantId, 'phone', phone),
      ],
      (row) => toFhirPatient(openPatient(ring, row), withPii),
    );
    return { resources: result.data, nextCursor: result.nextCursor };
  },
};
