/**
 * The set-up of the key-rotation tests of personal data at rest: a fresh
 * test database (written under the test key, `test-1`) with one tenant, a
 * system change context for it, and the key rings of a rotation to a new
 * key: `rotated` lists the new key first (active) and the test key after
 * it (still readable); `newOnly` is the ring once the test key is retired.
 */
import { type KeyRing, parseKeyRing } from '../../src/crypto/field-encryption.ts';
import type { ChangeContext } from '../../src/kernel/change.ts';
import { createTenant } from '../../src/tenants/service.ts';
import { openTestDatabase, type TestDatabase } from './database.ts';
import { testKeyEnv } from './pii-keys.ts';

/** What {@link openKeyRotation} opens; `database.close()` ends it. */
export interface KeyRotation {
  readonly database: TestDatabase;
  /** A system change in the tenant, for writing its rows. */
  readonly change: ChangeContext;
  /** The new key (active) and the test key (still readable). */
  readonly rotated: KeyRing;
  /** The new key alone: the test key has been retired. */
  readonly newOnly: KeyRing;
}

/**
 * Opens the database and one tenant, and builds the rings of a rotation to
 * key `kid` (32 bytes of `keyByte`; test data only).
 *
 * @example
 * const rotation = await openKeyRotation({ tenant: 'Rotation clinic', kid: 'k-new', keyByte: 42 });
 * await reencryptPatients(withKeyRing(rotation.database, rotation.rotated).db, { batch: 10 });
 * await rotation.database.close();
 */
export async function openKeyRotation(options: {
  tenant: string;
  kid: string;
  keyByte: number;
}): Promise<KeyRotation> {
  const database = await openTestDatabase();
  const tenant = await createTenant(database.db, { name: options.tenant });
  const newKey = `${options.kid}:${Buffer.alloc(32, options.keyByte).toString('base64')}`;
  return {
    database,
    change: {
      tenantId: tenant.tenantId,
      actor: { type: 'system', id: 'test' },
      requestId: null,
      now: new Date(),
    },
    rotated: parseKeyRing(`${newKey},${testKeyEnv.PII_ENCRYPTION_KEYS}`, testKeyEnv.PII_INDEX_KEY),
    newOnly: parseKeyRing(newKey, testKeyEnv.PII_INDEX_KEY),
  };
}
