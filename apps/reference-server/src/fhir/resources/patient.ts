/**
 * Patient: the tenant's patients as FHIR R4 `Patient`. Names, birth date
 * and contact details only for callers holding `read:patients:pii`, as on
 * `/api/v1/patients`. Search: `_id`, `identifier` (the ClinicBridge id or
 * the partner's external reference).
 */
import { hasScope } from '@clinicbridge/sdk/contract';
import type { Patient } from '@medplum/fhirtypes';
import type { Row } from '../../db/schema.ts';
import { listPage } from '../../kernel/list.ts';
import type { Filter } from '../../kernel/owned.ts';
import { requirePatient } from '../../patients/service.ts';
import { single, token } from '../search.ts';
import { type FhirSource, fhirId, IDENTIFIER_SYSTEMS, internalId, searchId } from '../source.ts';

/**
 * A patient row as a FHIR Patient.
 *
 * @example
 * toFhirPatient(row, false).identifier; // [{ system: IDENTIFIER_SYSTEMS.patient, value: 'pat_…' }]
 */
export function toFhirPatient(row: Row<'patients'>, withPii: boolean): Patient {
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
  searchParams: ['_id', 'identifier'],
  async read({ db, auth }, id) {
    const row = await requirePatient(db, auth.tenantId, internalId(id, 'pat', 'Patient'));
    return toFhirPatient(row, hasScope(auth.scopes, 'read:patients:pii'));
  },
  async search({ db, auth }, query, page) {
    const byId = single(query, '_id');
    const withPii = hasScope(auth.scopes, 'read:patients:pii');
    const result = await listPage(
      db,
      'patients',
      auth.tenantId,
      page,
      [
        byId !== undefined && ['id', '=', searchId(byId, 'pat')],
        identifierFilter(single(query, 'identifier')),
      ],
      (row) => toFhirPatient(row, withPii),
    );
    return { resources: result.data, nextCursor: result.nextCursor };
  },
};
