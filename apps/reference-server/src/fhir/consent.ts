/**
 * The consent check of `/fhir/R4`: which patient a served resource is
 * about, and how the server refuses or leaves out the resources of
 * patients whose exchange needs a consent they have not (or no longer)
 * given. Whether a patient needs one, and whether they have it, is the
 * gate's business (the health-id feature's `patientsWithoutConsent`).
 */
import type { OperationOutcome, Resource } from '@medplum/fhirtypes';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { ApiError } from '../kernel/problem.ts';
import { IDENTIFIER_SYSTEMS, searchId } from './source.ts';

/**
 * Of `patientIds` (one tenant's), those whose data may not leave at `at`.
 *
 * @example
 * const gate: ConsentGate = async (db, tenantId, ids, at) => new Set();
 */
export type ConsentGate = (
  db: Kysely<DB>,
  tenantId: string,
  patientIds: readonly string[],
  at: Date,
) => Promise<Set<string>>;

const patientRef = (reference: string | undefined): string | undefined =>
  reference?.startsWith('Patient/') ? searchId(reference.slice(8), 'pat') || undefined : undefined;

/**
 * The ClinicBridge id of the patient a served resource is about.
 *
 * @example
 * patientOf({ resourceType: 'Encounter', status: 'finished', class: {}, subject: { reference: 'Patient/pat-…' } }); // 'pat_…'
 */
export function patientOf(resource: Resource): string | undefined {
  switch (resource.resourceType) {
    case 'Patient':
      return resource.identifier?.find((id) => id.system === IDENTIFIER_SYSTEMS.patient)?.value;
    case 'Encounter':
      return patientRef(resource.subject?.reference);
    case 'Appointment':
      return resource.participant
        ?.map((participant) => patientRef(participant.actor?.reference))
        .find((id) => id !== undefined);
    default:
      return undefined;
  }
}

const REFUSAL =
  'The patient’s ABHA is linked: their data is exchanged only under their ABDM consent (care management, OPConsultation), granted and not expired. Ask the patient for consent, then try again.';

/**
 * Throws 403 `consent_required` when the one resource read may not leave.
 *
 * @example
 * await requireConsent(gate, db, tenantId, resource, now);
 */
export async function requireConsent(
  gate: ConsentGate,
  db: Kysely<DB>,
  tenantId: string,
  resource: Resource,
  at: Date,
): Promise<void> {
  const patientId = patientOf(resource);
  if (patientId === undefined) return;
  const blocked = await gate(db, tenantId, [patientId], at);
  if (blocked.size > 0) throw new ApiError('consent_required', REFUSAL);
}

/**
 * A search's matches without those that may not leave, and an
 * OperationOutcome saying how many were left out (none: `undefined`).
 *
 * @example
 * const { allowed, outcome } = await withoutUnconsented(gate, db, tenantId, found.resources, now);
 */
export async function withoutUnconsented<R extends Resource>(
  gate: ConsentGate,
  db: Kysely<DB>,
  tenantId: string,
  resources: readonly R[],
  at: Date,
): Promise<{ allowed: R[]; outcome: OperationOutcome | undefined }> {
  const patients = resources.map((resource) => patientOf(resource));
  const blocked = await gate(
    db,
    tenantId,
    patients.filter((id): id is string => id !== undefined),
    at,
  );
  if (blocked.size === 0) return { allowed: [...resources], outcome: undefined };
  const allowed = resources.filter((_, i) => !blocked.has(patients[i] ?? ''));
  const left = resources.length - allowed.length;
  return {
    allowed,
    outcome: {
      resourceType: 'OperationOutcome',
      issue: [
        {
          severity: 'warning',
          code: 'suppressed',
          details: {
            coding: [{ system: 'https://docs.clinicbridge.dev/errors', code: 'consent_required' }],
          },
          diagnostics: `${left} matching resource(s) left out: their patient’s ABHA is linked and no granted, unexpired ABDM consent covers this exchange.`,
        },
      ],
    },
  };
}
