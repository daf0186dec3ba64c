/**
 * What a served FHIR resource type is: its name, the scope a caller needs,
 * its search parameters, and how to read one row and search rows of the
 * caller's tenant as that resource. Each type is one file in `resources/`;
 * `sources.ts` lists them. Ids: FHIR ids may not hold `_`, so `pat_abc`
 * is served as `pat-abc` (and the `_` form is accepted back), with the
 * ClinicBridge id itself in an identifier.
 */
import type { Scope } from '@clinicbridge/sdk/contract';
import type { Resource } from '@medplum/fhirtypes';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { AuthContext } from '../kernel/caller.ts';
import { ApiError } from '../kernel/problem.ts';
import type { FhirQuery } from './search.ts';

/**
 * Identifier systems of the ClinicBridge ids in served resources.
 *
 * @example
 * { system: IDENTIFIER_SYSTEMS.patient, value: 'pat_…' }
 */
export const IDENTIFIER_SYSTEMS = {
  patient: 'https://clinicbridge.dev/fhir/sid/patient-id',
  externalRef: 'https://clinicbridge.dev/fhir/sid/external-ref',
  appointment: 'https://clinicbridge.dev/fhir/sid/appointment-id',
  encounter: 'https://clinicbridge.dev/fhir/sid/encounter-id',
  clinician: 'https://clinicbridge.dev/fhir/sid/clinician-ref',
} as const;

/**
 * Who reads and where from.
 *
 * @example
 * const ctx: SourceContext = { db, auth };
 */
export interface SourceContext {
  db: Kysely<DB>;
  auth: AuthContext;
}

/**
 * One page of matches.
 *
 * @example
 * const page: SourcePage<Patient> = { resources: [], nextCursor: null };
 */
export interface SourcePage<R extends Resource> {
  resources: R[];
  nextCursor: string | null;
}

/**
 * A served resource type.
 *
 * @example
 * export const patientSource: FhirSource<Patient> = { type: 'Patient', scope: 'read:patients', searchParams: ['_id'], read, search };
 */
export interface FhirSource<R extends Resource = Resource> {
  readonly type: R['resourceType'];
  readonly scope: Scope;
  readonly searchParams: readonly string[];
  read(ctx: SourceContext, id: string): Promise<R>;
  search(
    ctx: SourceContext,
    query: FhirQuery,
    page: { limit: number; cursor: string | undefined },
  ): Promise<SourcePage<R>>;
}

/**
 * The FHIR id of a ClinicBridge id (`pat_abc` → `pat-abc`).
 *
 * @example
 * fhirId('pat_k3v9x2m4q7r1t5w8y6z3b2c4d5'); // 'pat-k3v9x2m4q7r1t5w8y6z3b2c4d5'
 */
export function fhirId(id: string): string {
  return id.replace('_', '-');
}

/**
 * The ClinicBridge id of a FHIR id with the given prefix (`pat-abc` or `pat_abc` → `pat_abc`), or 404.
 *
 * @example
 * internalId('pat-abc1234567890abcdef', 'pat', 'Patient'); // 'pat_abc1234567890abcdef'
 */
export function internalId(value: string, prefix: string, type: string): string {
  const match = new RegExp(`^${prefix}[-_]([0-9A-Za-z]{16,64})$`).exec(value);
  if (!match) throw new ApiError('not_found', `No ${type} ${value.slice(0, 80)} in this tenant.`);
  return `${prefix}_${match[1]}`;
}

/**
 * The ClinicBridge id a search value names, or `''` (which matches no row)
 * when it cannot be one: a search for an impossible id finds nothing.
 *
 * @example
 * searchId('Patient/pat-abc1234567890abcdef'.split('/')[1]!, 'pat'); // 'pat_abc1234567890abcdef'
 */
export function searchId(value: string, prefix: string): string {
  const match = new RegExp(`^${prefix}[-_]([0-9A-Za-z]{16,64})$`).exec(value);
  return match ? `${prefix}_${match[1]}` : '';
}
