/**
 * A patient's personal data at rest. Names, birth date, email and phone are
 * one JSON document encrypted into `patients.pii` (bound to the tenant, the
 * table, the column and the row id); the email and phone also get blind
 * indexes, the only way to find a patient by them. Services work with the
 * opened {@link PatientRecord}; only this module sees the stored shape.
 */
import type { Kysely } from 'kysely';
import {
  blindIndex,
  decryptField,
  encryptField,
  type FieldLocation,
  type FieldSealer,
  type KeyRing,
} from '../crypto/field-encryption.ts';
import { keyRingOf } from '../crypto/keys.ts';
import type { DB, Row } from '../db/schema.ts';

type StoredOnly = 'pii' | 'pii_kid' | 'email_index' | 'phone_index' | 'given_name' | 'family_name';

/**
 * A patient with its personal data opened: what services and responses use.
 *
 * @example
 * const record: PatientRecord = await requirePatient(db, tenantId, 'pat_…');
 * record.email; // 'ada@example.com'
 */
export type PatientRecord = Omit<Row<'patients'>, StoredOnly> & {
  given_name: string;
  family_name: string;
};

/** The encrypted document: every personal field of a patient. */
interface PatientPii {
  givenName: string;
  familyName: string;
  birthDate: string | null;
  email: string | null;
  phone: string | null;
}

const locationOf = (row: { id: string; tenant_id: string }): FieldLocation => ({
  tenantId: row.tenant_id,
  table: 'patients',
  column: 'pii',
  rowId: row.id,
});

/**
 * The blind index of a patient's email or phone in a tenant.
 *
 * @example
 * const index = contactIndex(ring, tenantId, 'email', 'ada@example.com');
 */
export function contactIndex(
  ring: KeyRing,
  tenantId: string,
  field: 'email' | 'phone',
  value: string,
): string {
  return blindIndex(ring, tenantId, field, value);
}

/**
 * The stored columns of a record: personal data encrypted under the active
 * key, blind indexes, and null in the plaintext columns. A batch passes
 * one `sealer` (createFieldSealer) so its rows share a data key.
 *
 * @example
 * await db.updateTable('patients').set(sealPatient(ring, record)).where('id', '=', record.id).execute();
 */
export function sealPatient(
  ring: KeyRing,
  record: PatientRecord,
  sealer?: FieldSealer,
): Pick<Row<'patients'>, StoredOnly | 'birth_date' | 'email' | 'phone'> {
  const pii: PatientPii = {
    givenName: record.given_name,
    familyName: record.family_name,
    birthDate: record.birth_date,
    email: record.email,
    phone: record.phone,
  };
  return {
    pii: sealer
      ? sealer.seal(JSON.stringify(pii), locationOf(record))
      : encryptField(ring, JSON.stringify(pii), locationOf(record)),
    pii_kid: ring.activeKid,
    email_index: record.email ? contactIndex(ring, record.tenant_id, 'email', record.email) : null,
    phone_index: record.phone ? contactIndex(ring, record.tenant_id, 'phone', record.phone) : null,
    given_name: null,
    family_name: null,
    birth_date: null,
    email: null,
    phone: null,
  };
}

/**
 * The record of a stored row: `pii` decrypted, or the plaintext columns of
 * a row written before encryption and not yet encrypted by the job.
 * Throws `FieldDecryptionError` when `pii` was altered or moved.
 *
 * @example
 * const record = openPatient(ring, row);
 */
export function openPatient(ring: KeyRing, row: Row<'patients'>): PatientRecord {
  const { pii: stored, pii_kid: _kid, email_index: _e, phone_index: _p, ...rest } = row;
  if (stored === null) {
    return { ...rest, given_name: row.given_name ?? '', family_name: row.family_name ?? '' };
  }
  const pii = JSON.parse(decryptField(ring, stored, locationOf(row))) as PatientPii;
  return {
    ...rest,
    given_name: pii.givenName,
    family_name: pii.familyName,
    birth_date: pii.birthDate,
    email: pii.email,
    phone: pii.phone,
  };
}

/**
 * {@link openPatient} with the ring of `db`.
 *
 * @example
 * const record = openPatientIn(trx, row);
 */
export function openPatientIn(db: Kysely<DB>, row: Row<'patients'>): PatientRecord {
  return openPatient(keyRingOf(db), row);
}
