/**
 * Patient identity from ADT messages. Every identifier in PID-3 (an MRN
 * per assigning authority, national ids) maps to one patient here. A
 * message names a patient already mapped by any of its identifiers, else
 * the one patient whose `externalRef` is its MRN (a partner registered the
 * patient with the hospital's number), else a new patient with the PID's
 * demographics. A08 (and each admission) updates those demographics. A40
 * merges: the prior identifiers (MRG-1) join the surviving patient, whose
 * encounters absorb the prior patient's, and the merge is recorded.
 */
import { type Cx, hdKey, hl7DateToIso, type Pid } from '@clinicbridge/hl7';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { reassignEncounters } from '../../encounters/service.ts';
import type { ChangeContext } from '../../kernel/change.ts';
import { createPatient, type PatientInput, updatePatient } from '../../patients/service.ts';

/**
 * One patient identifier: the value and its assigning authority.
 *
 * @example
 * const mrn: PatientIdentifier = { authority: 'CITYHOSP', identifier: 'MRN001', type: 'MR' };
 */
export interface PatientIdentifier {
  authority: string;
  identifier: string;
  type: string;
}

/**
 * The identifiers of a CX list; one without an assigning authority
 * belongs to the sending facility.
 *
 * @example
 * identifiersOf(pid.identifiers, 'CITYHOSP');
 */
export function identifiersOf(list: readonly Cx[], sendingFacility: string): PatientIdentifier[] {
  const seen = new Set<string>();
  const out: PatientIdentifier[] = [];
  for (const cx of list) {
    const authority = (hdKey(cx.assigningAuthority) || sendingFacility).slice(0, 200);
    const identifier = cx.id.slice(0, 200);
    const key = `${authority}\u0000${identifier}`;
    if (identifier === '' || seen.has(key)) continue;
    seen.add(key);
    out.push({ authority, identifier, type: cx.identifierTypeCode.slice(0, 10) || 'MR' });
  }
  return out;
}

/**
 * The patient fields a PID carries (names, birth date, contact, language, country).
 *
 * @example
 * const fields = demographicsOf(pid); // { givenName: 'Asha', familyName: 'Sharma', birthDate: '1980-05-12', … }
 */
export function demographicsOf(pid: Pid): PatientInput & { givenName: string; familyName: string } {
  const name =
    pid.names.find((n) => n.nameTypeCode === 'L' || n.nameTypeCode === '') ?? pid.names[0];
  const phone = [...pid.homePhones, ...pid.businessPhones].find((t) => t.number !== '')?.number;
  const email = [...pid.homePhones, ...pid.businessPhones].find((t) =>
    /^[^@\s]+@[^@\s]+$/.test(t.email),
  )?.email;
  const language = pid.primaryLanguage.identifier.toLowerCase();
  const country = pid.addresses[0]?.country.toUpperCase() ?? '';
  const birthDate = hl7DateToIso(pid.birthDateTime);
  return {
    givenName: (name?.given ?? '').slice(0, 200),
    familyName: (name?.family ?? '').slice(0, 200),
    ...(birthDate ? { birthDate } : {}),
    ...(phone ? { phone: phone.slice(0, 40) } : {}),
    ...(email ? { email: email.slice(0, 200) } : {}),
    ...(/^[a-z]{2}$/.test(language) ? { preferredLanguage: language } : {}),
    ...(/^[A-Z]{2}$/.test(country) ? { countryCode: country } : {}),
  };
}

/** The fields a message actually filled: an empty name never erases a known one. */
function present(input: PatientInput): PatientInput {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== '')) as PatientInput;
}

async function mappedPatients(
  db: Kysely<DB>,
  tenantId: string,
  identifiers: readonly PatientIdentifier[],
): Promise<Map<string, string>> {
  if (identifiers.length === 0) return new Map();
  const rows = await db
    .selectFrom('hl7_patient_identifiers')
    .select(['authority', 'identifier', 'patient_id'])
    .where('tenant_id', '=', tenantId)
    .where((eb) =>
      eb.or(
        identifiers.map((i) =>
          eb.and([eb('authority', '=', i.authority), eb('identifier', '=', i.identifier)]),
        ),
      ),
    )
    .execute();
  return new Map(rows.map((r) => [`${r.authority}\u0000${r.identifier}`, r.patient_id]));
}

/**
 * The patient the identifiers already name, if any: the first identifier
 * (in message order, so the MRN before secondary ids) that is mapped.
 *
 * @example
 * const patientId = await findPatient(trx, tenantId, identifiersOf(pid.identifiers, 'CITYHOSP'));
 */
export async function findPatient(
  db: Kysely<DB>,
  tenantId: string,
  identifiers: readonly PatientIdentifier[],
): Promise<string | undefined> {
  const mapped = await mappedPatients(db, tenantId, identifiers);
  for (const i of identifiers) {
    const found = mapped.get(`${i.authority}\u0000${i.identifier}`);
    if (found) return found;
  }
  return undefined;
}

/**
 * Maps identifiers to a patient (new ones only: an identifier never moves
 * silently from one patient to another; only a merge moves it).
 *
 * @example
 * await linkIdentifiers(trx, tenantId, patientId, identifiers, now);
 */
export async function linkIdentifiers(
  db: Kysely<DB>,
  tenantId: string,
  patientId: string,
  identifiers: readonly PatientIdentifier[],
  now: Date,
): Promise<void> {
  if (identifiers.length === 0) return;
  await db
    .insertInto('hl7_patient_identifiers')
    .values(
      identifiers.map((i) => ({
        tenant_id: tenantId,
        authority: i.authority,
        identifier: i.identifier,
        identifier_type: i.type,
        patient_id: patientId,
        created_at: now,
        updated_at: now,
      })),
    )
    .onConflict((oc) => oc.columns(['tenant_id', 'authority', 'identifier']).doNothing())
    .execute();
}

/**
 * The patient of a PID: found by identifier, else by an MRN given as a
 * partner's `externalRef`, else created; new identifiers are linked, and
 * the demographics applied when `update` is set (A08, admissions).
 *
 * @example
 * const { patientId, created } = await resolvePatient(trx, change, pid, 'CITYHOSP', { update: true });
 */
export async function resolvePatient(
  db: Kysely<DB>,
  change: ChangeContext,
  pid: Pid,
  sendingFacility: string,
  options: { update: boolean },
): Promise<{ patientId: string; created: boolean }> {
  const identifiers = identifiersOf(pid.identifiers, sendingFacility);
  const demographics = demographicsOf(pid);
  let patientId = await findPatient(db, change.tenantId, identifiers);
  let created = false;
  if (!patientId) {
    const values = identifiers.map((i) => i.identifier);
    const byRef = await db
      .selectFrom('patients')
      .select('id')
      .where('tenant_id', '=', change.tenantId)
      .where('external_ref', 'in', values)
      .limit(2)
      .execute();
    if (byRef.length === 1) patientId = byRef[0]!.id;
  }
  if (!patientId) {
    patientId = (await createPatient(db, change, demographics)).id;
    created = true;
  } else if (options.update) {
    await updatePatient(db, change, patientId, present(demographics));
  }
  await linkIdentifiers(db, change.tenantId, patientId, identifiers, change.now);
  return { patientId, created };
}

/**
 * Applies an A40 merge: the prior patient (MRG-1) into the surviving one
 * (PID-3). Returns what was done, for the inbox row's reason.
 *
 * @example
 * const reason = await mergePatients(trx, change, pid, mrg.priorPatientIdentifiers, 'CITYHOSP', messageId);
 */
export async function mergePatients(
  db: Kysely<DB>,
  change: ChangeContext,
  pid: Pid,
  prior: readonly Cx[],
  sendingFacility: string,
  messageId: string,
): Promise<string> {
  const survivorIds = identifiersOf(pid.identifiers, sendingFacility);
  const priorIds = identifiersOf(prior, sendingFacility);
  const priorPatient = await findPatient(db, change.tenantId, priorIds);
  const survivor = await findPatient(db, change.tenantId, survivorIds);
  if (!priorPatient) {
    const { patientId } = await resolvePatient(db, change, pid, sendingFacility, { update: true });
    await linkIdentifiers(db, change.tenantId, patientId, priorIds, change.now);
    return 'the prior identifier was unknown here: it now names the surviving patient';
  }
  if (!survivor || survivor === priorPatient) {
    // The surviving identifiers are new: the prior patient carries them from now on.
    await linkIdentifiers(db, change.tenantId, priorPatient, survivorIds, change.now);
    await updatePatient(db, change, priorPatient, present(demographicsOf(pid)));
    return 'the patient keeps its record under the surviving identifier';
  }
  await db
    .updateTable('hl7_patient_identifiers')
    .set({ patient_id: survivor, updated_at: change.now })
    .where('tenant_id', '=', change.tenantId)
    .where('patient_id', '=', priorPatient)
    .execute();
  await linkIdentifiers(db, change.tenantId, survivor, priorIds, change.now);
  const moved = await reassignEncounters(db, change, priorPatient, survivor);
  await db
    .insertInto('hl7_patient_merges')
    .values({
      tenant_id: change.tenantId,
      from_patient_id: priorPatient,
      into_patient_id: survivor,
      message_id: messageId,
      merged_at: change.now,
    })
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'from_patient_id']).doUpdateSet({
        into_patient_id: survivor,
        message_id: messageId,
        merged_at: change.now,
      }),
    )
    .execute();
  // Merges chained onto the prior patient now end at the survivor.
  await db
    .updateTable('hl7_patient_merges')
    .set({ into_patient_id: survivor })
    .where('tenant_id', '=', change.tenantId)
    .where('into_patient_id', '=', priorPatient)
    .execute();
  return `merged ${priorPatient} into ${survivor}; ${moved} encounter(s) moved`;
}
