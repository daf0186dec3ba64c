/**
 * Issue #10, finding 17: key rotation of personal data at rest. Rows
 * written before encryption are encrypted by the same pass that moves rows
 * from a retired key to the active one (`reencryptPatients`, the background
 * job and `pii rotate-key`); batches commit one by one, so a run resumes;
 * afterwards the retired key can leave `PII_ENCRYPTION_KEYS`.
 */
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isFieldDecryptionError } from '../../src/crypto/field-encryption.ts';
import { withKeyRing } from '../../src/crypto/keys.ts';
import type { DB } from '../../src/db/schema.ts';
import { openPatient } from '../../src/patients/pii.ts';
import { piiKeyUsage, reencryptPatients } from '../../src/patients/reencrypt.ts';
import { createPatient } from '../../src/patients/service.ts';
import { type KeyRotation, openKeyRotation } from '../helpers/key-rotation.ts';
import { testKeyRing } from '../helpers/pii-keys.ts';

let rotation: KeyRotation;
beforeAll(async () => {
  rotation = await openKeyRotation({ tenant: 'Rotation clinic', kid: 'k-new', keyByte: 42 });
}, 120_000);
afterAll(() => rotation.database.close());

async function drain(db: Kysely<DB>, batch: number): Promise<number> {
  let total = 0;
  for (let done = await reencryptPatients(db, { batch }); done > 0; ) {
    total += done;
    done = await reencryptPatients(db, { batch });
  }
  return total;
}

describe('finding 17: rotation and the encryption of older rows', () => {
  test('plaintext rows are encrypted, then every row moves to a new key and the old one can go', async () => {
    const { database, change, rotated, newOnly } = rotation;
    const db = database.db;
    for (const n of [1, 2, 3]) {
      await createPatient(db, change, {
        givenName: `Given${n}`,
        familyName: 'Rotate',
        email: `rotate${n}@example.com`,
      });
    }
    // A row as stored before migration 0005: plaintext columns, no `pii`.
    await sql`insert into patients (id, tenant_id, given_name, family_name, birth_date, email, phone,
        preferred_language, consent_messaging, consent_marketing, created_at, updated_at)
      values ('pat_legacy', ${change.tenantId}, 'Legacy', 'Row', '1970-01-01', 'legacy@example.com',
        '+905320000000', 'en', false, false, now(), now())`.execute(db);
    expect(await piiKeyUsage(db)).toEqual({ 'test-1': 3, plaintext: 1 });
    expect(await drain(db, 100)).toBe(1);
    const legacy = await db
      .selectFrom('patients')
      .selectAll()
      .where('id', '=', 'pat_legacy')
      .executeTakeFirstOrThrow();
    expect(legacy).toMatchObject({ email: null, phone: null, given_name: null, pii_kid: 'test-1' });
    expect(openPatient(testKeyRing, legacy)).toMatchObject({
      given_name: 'Legacy',
      birth_date: '1970-01-01',
      email: 'legacy@example.com',
    });

    // Rotation: the new key first, the old one still listed. One batch, then the rest (resumed).
    const withNew = withKeyRing(database, rotated).db;
    expect(await reencryptPatients(withNew, { batch: 2 })).toBe(2);
    expect(await piiKeyUsage(db)).toEqual({ 'k-new': 2, 'test-1': 2 });
    expect(await drain(withNew, 2)).toBe(2);
    expect(await piiKeyUsage(db)).toEqual({ 'k-new': 4 });

    // The old key removed: every row still opens, and its email index still matches.
    const rows = await db.selectFrom('patients').selectAll().orderBy('id').execute();
    const opened = rows.map((row) => openPatient(newOnly, row));
    expect(opened.map((p) => p.email).sort()).toEqual([
      'legacy@example.com',
      'rotate1@example.com',
      'rotate2@example.com',
      'rotate3@example.com',
    ]);
    // And without the new key nothing opens: no garbage, an error.
    let failure: unknown;
    try {
      openPatient(testKeyRing, rows[0]!);
    } catch (error) {
      failure = error;
    }
    expect(isFieldDecryptionError(failure)).toBe(true);
    expect(String(failure)).toMatch(/k-new, which is not configured/);
  });
});
