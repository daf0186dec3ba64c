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
import type { KeyRing } from '../../crypto/field-encryption.ts';
import { keyRingOf } from '../../crypto/keys.ts';
import type { Row } from '../../db/schema.ts';
import { listPage } from '../../kernel/list.ts';
import type { Filter } from '../../kernel/owned.ts';
import { ApiError } from '../../kernel/problem.ts';
import { requireOwned } from '../../kernel/require-owned.ts';
import { openPatient } from '../../patients/pii.ts';
import { contactFilter } from '../../patients/service.ts';
import { single, token } from '../search.ts';
import {
  type FhirSource,
  fhirId,
  IDENTIFIER_SYSTEMS,
  internalId,
  type SourceContext,
  searchId,
} from '../source.ts';

/**
 * A stored patient row as a FHIR Patient. Names, birth date and contacts
 * are decrypted and included only when `piiRing` is given: a caller
 * without `read:patients:pii`, or an export, never opens them.
 *
 * @example
 * toFhirPatient(row, null).identifier; // [{ system: IDENTIFIER_SYSTEMS.patient, value: 'pat_…' }]
 * toFhirPatient(row, keyRingOf(db)).name; // [{ use: 'official', family: 'Lovelace', given: ['Ada'] }]
 */
export function toFhirPatient(row: Row<'patients'>, piiRing: KeyRing | null): Patient {
  return {
    ...withoutPii(row),
    ...(piiRing ? personalData(openPatient(piiRing, row)) : {}),
  };
}

/** The ring to open personal data with when the caller may see it, else null. */
function piiRingFor(db: SourceContext['db'], auth: SourceContext['auth']): KeyRing | null {
  return hasScope(auth.scopes, 'read:patients:pii') ? keyRingOf(db) : null;
}

function personalData(
  pii: Pick<Row<'patients'>, 'birth_date' | 'email' | 'phone'> & {
    given_name: string;
    family_name: string;
  },
): Pick<Patient, 'name' | 'birthDate' | 'telecom'> {
  const telecom: NonNullable<Patient['telecom']> = [];
  if (pii.phone) telecom.push({ system: 'phone', value: pii.phone, use: 'mobile' });
  if (pii.email) telecom.push({ system: 'email', value: pii.email });
  return {
    name: [{ use: 'official' as const, family: pii.family_name, given: [pii.given_name] }],
    ...(pii.birth_date ? { birthDate: pii.birth_date } : {}),
    ...(telecom.length > 0 ? { telecom } : {}),
  };
}

function withoutPii(row: Row<'patients'>): Patient {
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
    const row = await requireOwned(db, 'patients', auth.tenantId, internalId(id, 'pat', 'Patient'));
    return toFhirPatient(row, piiRingFor(db, auth));
  },
  async search({ db, auth }, query, page) {
    const byId = single(query, '_id');
    const piiRing = piiRingFor(db, auth);
    const email = single(query, 'email');
    const phone = single(query, 'phone');
    if ((email !== undefined || phone !== undefined) && piiRing === null) {
      throw new ApiError(
        'insufficient_scope',
        'Searching patients by email or phone needs the read:patients:pii scope.',
      );
    }
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
      (row) => toFhirPatient(row, piiRing),
    );
    return { resources: result.data, nextCursor: result.nextCursor };
  },
};
