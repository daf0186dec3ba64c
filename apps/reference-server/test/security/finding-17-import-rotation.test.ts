/**
 * Issue #10, finding 17, for imported patients: a background import seals a
 * batch's rows with one data key (createFieldSealer); each row still opens
 * on its own, is found by its blind indexes, cannot be opened as another
 * row, and moves to a new key by the same rotation pass as any patient, after
 * which the retired key can go.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isFieldDecryptionError } from '../../src/crypto/field-encryption.ts';
import { withKeyRing } from '../../src/crypto/keys.ts';
import { importsConfig } from '../../src/imports/config.ts';
import { runImportJob } from '../../src/imports/runner.ts';
import { getImportJob, importFile } from '../../src/imports/service.ts';
import { contactIndex, openPatient } from '../../src/patients/pii.ts';
import { piiKeyUsage, reencryptPatients } from '../../src/patients/reencrypt.ts';
import { type KeyRotation, openKeyRotation } from '../helpers/key-rotation.ts';
import { testKeyRing } from '../helpers/pii-keys.ts';

let rotation: KeyRotation;
beforeAll(async () => {
  rotation = await openKeyRotation({ tenant: 'Import rotation clinic', kid: 'k-imp', keyByte: 7 });
}, 120_000);
afterAll(() => rotation.database.close());

const ROWS = 100;
const content = [
  'givenName,familyName,email,phone,externalRef',
  ...Array.from(
    { length: ROWS },
    (_, i) => `Imp${i},Rot,imp${i}@example.test,+90532${String(i).padStart(7, '0')},IR-${i}`,
  ),
].join('\n');

describe('finding 17: imported patients (one data key per batch) and key rotation', () => {
  test('rows open one by one, keep their blind indexes and row binding, and rotate to a new key', async () => {
    const { database, change, rotated, newOnly } = rotation;
    const db = database.db;
    const limits = importsConfig.parse({ IMPORT_BACKGROUND_BYTES: '0', IMPORT_BATCH_ROWS: '40' });
    const queued = await db
      .transaction()
      .execute((trx) =>
        importFile(trx, change, { kind: 'patients', format: 'csv', content }, limits),
      );
    const leased = await db
      .selectFrom('import_jobs')
      .selectAll()
      .where('id', '=', queued.id)
      .executeTakeFirstOrThrow();
    await runImportJob(db, leased, limits);
    expect(await getImportJob(db, change.tenantId, queued.id)).toMatchObject({
      status: 'completed',
      importedRows: ROWS,
    });

    const rows = await db
      .selectFrom('patients')
      .selectAll()
      .where('external_ref', 'like', 'IR-%')
      .execute();
    expect(rows).toHaveLength(ROWS);
    // Batches of 40, 40 and 20 rows: one wrapped data key each.
    const wrapped = new Set(rows.map((r) => r.pii?.split('.')[2]));
    expect(wrapped.size).toBe(3);
    for (const row of rows) {
      const n = Number(row.external_ref?.slice(3));
      expect(row).toMatchObject({ given_name: null, email: null, phone: null, pii_kid: 'test-1' });
      const opened = openPatient(testKeyRing, row);
      expect(opened).toMatchObject({ given_name: `Imp${n}`, email: `imp${n}@example.test` });
      expect(row.email_index).toBe(
        contactIndex(testKeyRing, change.tenantId, 'email', `imp${n}@example.test`),
      );
    }
    // Two rows of one batch share the data key, yet one's sealed value does not open as the other.
    const [a, b] = rows.filter((r) => r.pii?.split('.')[2] === rows[0]?.pii?.split('.')[2]);
    let failure: unknown;
    try {
      openPatient(testKeyRing, { ...b!, pii: a!.pii });
    } catch (error) {
      failure = error;
    }
    expect(isFieldDecryptionError(failure)).toBe(true);

    const withNew = withKeyRing(database, rotated).db;
    let moved = 0;
    for (let done = await reencryptPatients(withNew, { batch: 30 }); done > 0; ) {
      moved += done;
      done = await reencryptPatients(withNew, { batch: 30 });
    }
    expect(moved).toBe(ROWS);
    expect(await piiKeyUsage(db)).toEqual({ 'k-imp': ROWS });
    const after = await db
      .selectFrom('patients')
      .selectAll()
      .where('external_ref', 'like', 'IR-%')
      .execute();
    for (const row of after) {
      const n = Number(row.external_ref?.slice(3));
      expect(openPatient(newOnly, row)).toMatchObject({
        phone: `+90532${String(n).padStart(7, '0')}`,
      });
    }
  }, 240_000);
});
