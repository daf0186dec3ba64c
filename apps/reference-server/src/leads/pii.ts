/**
 * A lead's personal data at rest, sealed the way patients' is
 * (src/patients/pii.ts): name, phone, email and notes are one JSON document
 * encrypted into `leads.pii` under an envelope key, bound to the tenant,
 * the table, the column and the row id; the E.164 phone and the lower-cased
 * email also get blind indexes, the only way leads are matched (the
 * de-duplication of imports). Only this module sees the stored shape.
 */
import {
  blindIndex,
  decryptField,
  encryptField,
  type FieldSealer,
  type KeyRing,
} from '../crypto/field-encryption.ts';
import type { Row } from '../db/schema.ts';

type StoredOnly = 'pii' | 'pii_kid' | 'phone_index' | 'email_index';

/**
 * A lead with its personal data opened: what services and responses use.
 *
 * @example
 * const record: LeadRecord = openLead(ring, row);
 * record.email; // 'ada@example.com'
 */
export type LeadRecord = Omit<Row<'leads'>, StoredOnly>;

interface LeadPii {
  name: string | null;
  phone: string | null;
  email: string | null;
  notes: string | null;
}

const locationOf = (row: { id: string; tenant_id: string }) => ({
  tenantId: row.tenant_id,
  table: 'leads',
  column: 'pii',
  rowId: row.id,
});

/**
 * The blind index of a lead's E.164 phone or lower-cased email in a tenant.
 *
 * @example
 * const index = leadContactIndex(ring, tenantId, 'phone', '+905321234567');
 */
export function leadContactIndex(
  ring: KeyRing,
  tenantId: string,
  field: 'phone' | 'email',
  value: string,
): string {
  return blindIndex(ring, tenantId, `lead.${field}`, value);
}

/**
 * The stored columns of a lead: personal data encrypted under the active key, blind indexes,
 * and null in the plaintext columns. A batch passes one `sealer` (createFieldSealer) so its
 * rows share a data key.
 *
 * @example
 * await db.insertInto('leads').values({ ...record, ...sealLead(ring, record) }).execute();
 */
export function sealLead(
  ring: KeyRing,
  record: LeadRecord,
  sealer?: FieldSealer,
): Pick<Row<'leads'>, StoredOnly | 'name' | 'phone' | 'email' | 'notes'> {
  const pii: LeadPii = {
    name: record.name,
    phone: record.phone,
    email: record.email,
    notes: record.notes,
  };
  return {
    pii: sealer
      ? sealer.seal(JSON.stringify(pii), locationOf(record))
      : encryptField(ring, JSON.stringify(pii), locationOf(record)),
    pii_kid: ring.activeKid,
    phone_index: record.phone
      ? leadContactIndex(ring, record.tenant_id, 'phone', record.phone)
      : null,
    email_index: record.email
      ? leadContactIndex(ring, record.tenant_id, 'email', record.email)
      : null,
    name: null,
    phone: null,
    email: null,
    notes: null,
  };
}

/**
 * The record of a stored row: `pii` decrypted, or the plaintext columns of a row stored
 * before encryption. Throws `FieldDecryptionError` when `pii` was altered or moved.
 *
 * @example
 * const record = openLead(ring, row);
 */
export function openLead(ring: KeyRing, row: Row<'leads'>): LeadRecord {
  const { pii: stored, pii_kid: _kid, phone_index: _p, email_index: _e, ...rest } = row;
  if (stored === null) return rest;
  const pii = JSON.parse(decryptField(ring, stored, locationOf(row))) as LeadPii;
  return { ...rest, ...pii };
}
