/**
 * The `fhir_bulk` export: a FHIR Bulk-Data-style NDJSON file, one FHIR R4
 * resource per line — the encounters created in the period (as the FHIR
 * API serves them, with their locations) and the patients they belong to,
 * patients first, each group ordered by id. Patients carry identifiers,
 * language and country but no names or contact details, like every export.
 * Reuses the FHIR API's mappings (src/fhir/resources/) and its consent
 * gate: when the ABDM gateway is configured, a patient whose ABHA is linked
 * and who has no active consent for the exchange is left out with their
 * encounters, judged when the snapshot is taken; only how many were left
 * out is returned, never who.
 */

import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { ConsentGate } from '../fhir/consent.ts';
import { toFhirEncounter, withLocations } from '../fhir/resources/encounter.ts';
import { toFhirPatient } from '../fhir/resources/patient.ts';
import type { ExportScope } from './kinds.ts';

const CHUNK = 500;

/**
 * The NDJSON lines of a bulk export, and how many patients and encounters
 * the consent gate left out.
 *
 * @example
 * const { lines, withheld } = await fhirBulkLines(db, scope, { gate, at: now });
 */
export interface FhirBulk {
  lines: string[];
  withheld: { patients: number; encounters: number };
}

/**
 * The NDJSON lines (without their line breaks) of the period's encounters
 * and their patients, without those `consent.gate` holds back at `consent.at`.
 *
 * @example
 * const { lines } = await fhirBulkLines(db, { tenantId, from, to });
 */
export async function fhirBulkLines(
  db: Kysely<DB>,
  scope: ExportScope,
  consent?: { gate: ConsentGate; at: Date },
): Promise<FhirBulk> {
  const { from, to } = scope;
  const found = await db
    .selectFrom('encounters')
    .selectAll()
    .where('tenant_id', '=', scope.tenantId)
    .$if(from !== null, (q) => q.where('created_at', '>=', from as Date))
    .$if(to !== null, (q) => q.where('created_at', '<', to as Date))
    .orderBy('id')
    .execute();
  const allPatientIds = [...new Set(found.map((e) => e.patient_id))].sort();
  const blocked = new Set<string>();
  if (consent) {
    for (let i = 0; i < allPatientIds.length; i += CHUNK) {
      const ids = allPatientIds.slice(i, i + CHUNK);
      for (const id of await consent.gate(db, scope.tenantId, ids, consent.at)) blocked.add(id);
    }
  }
  const encounters = found.filter((e) => !blocked.has(e.patient_id));
  const patientIds = allPatientIds.filter((id) => !blocked.has(id));
  const lines: string[] = [];
  for (let i = 0; i < patientIds.length; i += CHUNK) {
    const patients = await db
      .selectFrom('patients')
      .selectAll()
      .where('tenant_id', '=', scope.tenantId)
      .where('id', 'in', patientIds.slice(i, i + CHUNK))
      .orderBy('id')
      .execute();
    for (const patient of patients) {
      lines.push(JSON.stringify(toFhirPatient(patient, null)));
    }
  }
  for (let i = 0; i < encounters.length; i += CHUNK) {
    const chunk = await withLocations(db, scope.tenantId, encounters.slice(i, i + CHUNK));
    for (const encounter of chunk) lines.push(JSON.stringify(toFhirEncounter(encounter)));
  }
  return {
    lines,
    withheld: { patients: blocked.size, encounters: found.length - encounters.length },
  };
}
