/**
 * Patients. Responses carry the minimum necessary: names, birth date and
 * contact details only for callers holding `read:patients:pii`. Those are
 * stored encrypted (`./pii.ts`): rows are opened on read and sealed on
 * write, and email or phone are found by blind index only. Audit rows
 * and logs never carry PII; there are no patient events (the catalogue has
 * none, by design: contact data does not fan out). A change of marketing
 * consent queues the patient for the CRM (src/crm), which sends a
 * consenting patient's marketing fields only.
 */
import { newId, type Patient } from '@clinicbridge/sdk/contract';
import type { Kysely } from 'kysely';
import { queueConsentForCrm } from '../crm/queue.ts';
import { keyRingOf } from '../crypto/keys.ts';
import type { DB } from '../db/schema.ts';
import { auditChange, type ChangeContext } from '../kernel/change.ts';
import { listPage } from '../kernel/list.ts';
import { insertOwned, updateOwned } from '../kernel/owned.ts';
import { requireOwned } from '../kernel/require-owned.ts';
import { contactIndex, openPatient, type PatientRecord, sealPatient } from './pii.ts';

/**
 * Fields a caller may set.
 *
 * @example
 * const patch: PatientInput = { preferredLanguage: 'tr', consent: { messaging: true, marketing: false } };
 */
export interface PatientInput {
  givenName?: string | undefined;
  familyName?: string | undefined;
  birthDate?: string | undefined;
  email?: string | undefined;
  phone?: string | undefined;
  externalRef?: string | undefined;
  preferredLanguage?: string | undefined;
  countryCode?: string | undefined;
  consent?: { messaging: boolean; marketing: boolean } | undefined;
}

/**
 * The public view of a patient; PII only when `withPii`.
 *
 * @example
 * toPatient(row, hasScope(auth.scopes, 'read:patients:pii'));
 */
export function toPatient(row: PatientRecord, withPii: boolean): Patient {
  const base: Patient = {
    id: row.id as `pat_${string}`,
    externalRef: row.external_ref,
    preferredLanguage: row.preferred_language,
    countryCode: row.country_code,
    consent: { messaging: row.consent_messaging, marketing: row.consent_marketing },
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
  if (!withPii) return base;
  return {
    ...base,
    givenName: row.given_name,
    familyName: row.family_name,
    birthDate: row.birth_date,
    email: row.email,
    phone: row.phone,
  };
}

/**
 * A patient of the tenant, opened, or 404.
 *
 * @example
 * const record = await requirePatient(db, tenantId, 'pat_…');
 */
export async function requirePatient(
  db: Kysely<DB>,
  tenantId: string,
  id: string,
  options: { lock?: boolean } = {},
): Promise<PatientRecord> {
  return openPatient(keyRingOf(db), await requireOwned(db, 'patients', tenantId, id, options));
}

/**
 * Registers a patient.
 *
 * @example
 * const row = await createPatient(trx, change, { givenName: 'Ada', familyName: 'Lovelace' });
 */
export async function createPatient(
  db: Kysely<DB>,
  change: ChangeContext,
  input: PatientInput & { givenName: string; familyName: string },
): Promise<PatientRecord> {
  const row: PatientRecord = {
    id: newId('pat'),
    tenant_id: change.tenantId,
    given_name: input.givenName,
    family_name: input.familyName,
    birth_date: input.birthDate ?? null,
    email: input.email ?? null,
    phone: input.phone ?? null,
    external_ref: input.externalRef ?? null,
    preferred_language: input.preferredLanguage ?? 'en',
    country_code: input.countryCode ?? null,
    consent_messaging: input.consent?.messaging ?? false,
    consent_marketing: input.consent?.marketing ?? false,
    created_at: change.now,
    updated_at: change.now,
  };
  await insertOwned(db, 'patients', { ...row, ...sealPatient(keyRingOf(db), row) });
  await auditChange(db, change, 'patient.created', 'patient', row.id);
  if (row.consent_marketing)
    await queueConsentForCrm(db, change.tenantId, 'patient', [row.id], change.now);
  return row;
}

/**
 * Updates a patient; audit metadata lists changed field names, never values.
 *
 * @example
 * await updatePatient(trx, change, 'pat_…', { preferredLanguage: 'tr' });
 */
export async function updatePatient(
  db: Kysely<DB>,
  change: ChangeContext,
  id: string,
  patch: PatientInput,
): Promise<PatientRecord> {
  const row = await requirePatient(db, change.tenantId, id, { lock: true });
  const next: PatientRecord = {
    ...row,
    ...(patch.givenName !== undefined ? { given_name: patch.givenName } : {}),
    ...(patch.familyName !== undefined ? { family_name: patch.familyName } : {}),
    ...(patch.birthDate !== undefined ? { birth_date: patch.birthDate } : {}),
    ...(patch.email !== undefined ? { email: patch.email } : {}),
    ...(patch.phone !== undefined ? { phone: patch.phone } : {}),
    ...(patch.externalRef !== undefined ? { external_ref: patch.externalRef } : {}),
    ...(patch.preferredLanguage !== undefined
      ? { preferred_language: patch.preferredLanguage }
      : {}),
    ...(patch.countryCode !== undefined ? { country_code: patch.countryCode } : {}),
    ...(patch.consent !== undefined
      ? { consent_messaging: patch.consent.messaging, consent_marketing: patch.consent.marketing }
      : {}),
    updated_at: change.now,
  };
  const { id: _id, tenant_id: _tenant, created_at: _created, ...set } = next;
  await updateOwned(db, 'patients', change.tenantId, id, {
    ...set,
    ...sealPatient(keyRingOf(db), next),
  });
  await auditChange(db, change, 'patient.updated', 'patient', id, {
    fields: Object.keys(patch).filter((k) => patch[k as keyof PatientInput] !== undefined),
  });
  if (next.consent_marketing !== row.consent_marketing)
    await queueConsentForCrm(db, change.tenantId, 'patient', [id], change.now);
  return next;
}

/**
 * Lists patients, optionally by external reference.
 *
 * @example
 * await listPatients(db, tenantId, { externalRef: 'EHR-1' }, false);
 */
export function listPatients(
  db: Kysely<DB>,
  tenantId: string,
  query: {
    limit?: number | undefined;
    cursor?: string | undefined;
    externalRef?: string | undefined;
  },
  withPii: boolean,
) {
  const ring = keyRingOf(db);
  return listPage(
    db,
    'patients',
    tenantId,
    query,
    [query.externalRef !== undefined && ['external_ref', '=', query.externalRef]],
    (row) => toPatient(openPatient(ring, row), withPii),
  );
}

/**
 * The list filter matching a patient's email or phone exactly (by blind
 * index; case and surrounding spaces of an email do not matter).
 *
 * @example
 * listPage(db, 'patients', tenantId, page, [contactFilter(db, tenantId, 'email', 'ada@example.com')], map);
 */
export function contactFilter(
  db: Kysely<DB>,
  tenantId: string,
  field: 'email' | 'phone',
  value: string,
): readonly [string, '=', string] {
  return [`${field}_index`, '=', contactIndex(keyRingOf(db), tenantId, field, value)];
}
