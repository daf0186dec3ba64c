/**
 * The consent rule of the FHIR exchange: the data of a patient whose ABHA
 * is linked here leaves `/fhir/R4` only under a consent of that patient
 * that is granted, not yet expired, for care management (`CAREMGT`) and
 * covering `OPConsultation` (the record every served resource belongs to).
 * Patients without a linked ABHA are not concerned. The check is the
 * port's `isConsentActive`, so a revoked, denied or expired artefact — or
 * one past its `expiresAt` before any notice says so — never counts.
 */
import {
  type ConsentArtefact,
  type ConsentPurpose,
  type HiType,
  isConsentActive,
} from '@clinicbridge/adapters';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

/**
 * What a FHIR exchange of patient data is, in ABDM terms.
 *
 * @example
 * FHIR_EXCHANGE.purpose; // 'CAREMGT'
 */
export const FHIR_EXCHANGE: { purpose: ConsentPurpose; hiTypes: readonly HiType[] } = {
  purpose: 'CAREMGT',
  hiTypes: ['OPConsultation'],
};

/**
 * Of `patientIds` (one tenant's), those whose data may not be exchanged at
 * `at`: linked to an ABHA and without an active consent.
 *
 * @example
 * const blocked = await patientsWithoutConsent(db, tenantId, ['pat_…'], new Date());
 * if (blocked.size > 0) throw new ApiError('consent_required', '…');
 */
export async function patientsWithoutConsent(
  db: Kysely<DB>,
  tenantId: string,
  patientIds: readonly string[],
  at: Date,
): Promise<Set<string>> {
  const ids = [...new Set(patientIds)];
  if (ids.length === 0) return new Set();
  const linked = await db
    .selectFrom('abha_links')
    .select('patient_id')
    .where('tenant_id', '=', tenantId)
    .where('patient_id', 'in', ids)
    .execute();
  const blocked = new Set(linked.map((row) => row.patient_id));
  if (blocked.size === 0) return blocked;
  const granted = await db
    .selectFrom('health_consents')
    .select(['patient_id', 'id', 'artefact_id', 'consent_request_id', 'purpose', 'hi_types'])
    .select(['date_from', 'date_to', 'expires_at'])
    .where('tenant_id', '=', tenantId)
    .where('patient_id', 'in', [...blocked])
    .where('status', '=', 'granted')
    .where('expires_at', '>', at)
    .execute();
  for (const row of granted) {
    const artefact: ConsentArtefact = {
      id: row.artefact_id ?? row.id,
      consentRequestId: row.consent_request_id ?? row.id,
      status: 'GRANTED',
      purpose: row.purpose,
      hiTypes: row.hi_types,
      from: row.date_from.toISOString(),
      to: row.date_to.toISOString(),
      expiresAt: row.expires_at.toISOString(),
      patientAbhaAddress: '',
    };
    if (isConsentActive(artefact, FHIR_EXCHANGE.purpose, FHIR_EXCHANGE.hiTypes, at))
      blocked.delete(row.patient_id);
  }
  return blocked;
}
