/**
 * A FHIR Patient opens a patient's encrypted personal data only when it
 * returns it: with a key ring that cannot decrypt, the search without
 * `read:patients:pii` and the `fhir_bulk` export still answer (without
 * names or contacts), while the same search with the scope fails, proving
 * the ring really refuses.
 */
import type { Scope } from '@clinicbridge/sdk/contract';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../../../test/helpers/database.ts';
import { FieldDecryptionError, type KeyRing } from '../../crypto/field-encryption.ts';
import { keyRingOf, withKeyRing } from '../../crypto/keys.ts';
import { openEncounter } from '../../encounters/service.ts';
import { fhirBulkLines } from '../../exports/fhir-bulk.ts';
import type { AuthContext } from '../../kernel/caller.ts';
import type { ChangeContext } from '../../kernel/change.ts';
import { createPatient } from '../../patients/service.ts';
import { createTenant } from '../../tenants/service.ts';
import { fhirId } from '../source.ts';
import { patientSource } from './patient.ts';

let database: TestDatabase;
let tenantId: string;
let patientId: string;

/** A ring whose only key has the written key's id but other bytes: every decryption fails. */
const refusing = (ring: KeyRing): KeyRing => ({
  ...ring,
  keks: new Map([...ring.keks.keys()].map((kid) => [kid, Buffer.alloc(32, 7)])),
});

const auth = (scopes: Scope[]): AuthContext => ({
  tenantId,
  scopes,
  actor: { type: 'api_key', id: 'key_test' },
  credentialId: 'key_test',
  tier: 'standard',
});

beforeAll(async () => {
  database = await openTestDatabase();
  tenantId = (await createTenant(database.db, { name: 'Clinic' })).tenantId;
  const change: ChangeContext = {
    tenantId,
    actor: { type: 'system', id: 'test' },
    requestId: null,
    now: new Date('2026-12-01T10:00:00Z'),
  };
  await database.db.transaction().execute(async (trx) => {
    patientId = (
      await createPatient(trx, change, {
        givenName: 'Ada',
        familyName: 'Lovelace',
        email: 'ada@example.com',
        externalRef: 'MRN-1',
      })
    ).id;
    await openEncounter(trx, change, {
      patientId,
      status: 'in_progress',
      visitNumber: null,
      visitAuthority: null,
      place: null,
      details: {
        class: 'outpatient',
        hospitalService: null,
        departmentRef: null,
        attendingProviderCode: null,
        attendingClinicianRef: null,
      },
      admittedAt: null,
    });
  });
}, 120_000);

afterAll(() => database?.close());

test('search, read and export without read:patients:pii never decrypt', async () => {
  const db = withKeyRing(database, refusing(keyRingOf(database.db))).db;
  const page = { limit: 10, cursor: undefined };

  const found = await patientSource.search({ db, auth: auth(['read:patients']) }, {}, page);
  expect(found.resources.map((p) => p.id)).toEqual([fhirId(patientId)]);
  expect(found.resources[0]?.name).toBeUndefined();
  expect(found.resources[0]?.identifier?.[1]?.value).toBe('MRN-1');

  const read = await patientSource.read({ db, auth: auth(['read:patients']) }, fhirId(patientId));
  expect(read.telecom).toBeUndefined();

  const { lines } = await fhirBulkLines(db, { tenantId, from: null, to: null });
  const exported = JSON.parse(lines[0] ?? '{}') as { id?: string; name?: unknown };
  expect(exported.id).toBe(fhirId(patientId));
  expect(exported.name).toBeUndefined();

  // The same ring does refuse when the personal data is asked for.
  await expect(
    patientSource.search({ db, auth: auth(['read:patients', 'read:patients:pii']) }, {}, page),
  ).rejects.toBeInstanceOf(FieldDecryptionError);
  // And the real ring opens it.
  const opened = await patientSource.read(
    { db: database.db, auth: auth(['read:patients', 'read:patients:pii']) },
    fhirId(patientId),
  );
  expect(opened.name?.[0]?.family).toBe('Lovelace');
});
