/**
 * The stored body of a provider webhook, encrypted at rest: travel and
 * hotel bookings carry guests' names and passports, WhatsApp statuses
 * phone numbers, payments billing details. The tenant is not known when a
 * webhook arrives, so the ciphertext is bound to the table, column and row.
 * `raw_body_kid` null marks a row stored in clear before encryption.
 */
import type { Kysely } from 'kysely';
import { decryptField, encryptField, type FieldLocation } from '../crypto/field-encryption.ts';
import { keyRingOf } from '../crypto/keys.ts';
import type { DB } from '../db/schema.ts';

const at = (id: string): FieldLocation => ({
  tenantId: null,
  table: 'inbound_webhooks',
  column: 'raw_body',
  rowId: id,
});

/**
 * The stored columns of a webhook body for row `id`.
 *
 * @example
 * const { raw_body, raw_body_kid } = sealRawBody(db, id, rawBody);
 */
export function sealRawBody(
  db: Kysely<DB>,
  id: string,
  rawBody: string,
): { raw_body: string; raw_body_kid: string } {
  const ring = keyRingOf(db);
  return { raw_body: encryptField(ring, rawBody, at(id)), raw_body_kid: ring.activeKid };
}

/**
 * The body of a stored webhook row (decrypted; as stored for a row kept in clear).
 *
 * @example
 * const payload = JSON.parse(openRawBody(trx, row));
 */
export function openRawBody(
  db: Kysely<DB>,
  row: { id: string; raw_body: string; raw_body_kid: string | null },
): string {
  return row.raw_body_kid === null
    ? row.raw_body
    : decryptField(keyRingOf(db), row.raw_body, at(row.id));
}
