/**
 * The field-encryption keys of the tests: fixed, so a server process a
 * test spawns and the test reading the same database agree. Test data only.
 */
import { parseKeyRing } from '../../src/crypto/field-encryption.ts';

/**
 * `PII_ENCRYPTION_KEYS` of the tests (one key, `test-1`).
 *
 * @example
 * spawn(process.execPath, [cli, 'start'], { env: { ...testKeyEnv } });
 */
export const testKeyEnv = {
  PII_ENCRYPTION_KEYS: 'test-1:ltUzsFSlpYmNpz8Pv8mlcxsQpaWzKoWMlXPZK//urLo=',
  PII_INDEX_KEY: '3S0yQus6eVoeyPEaVPz7x7NOYQJM/SoQWPaf4Qrl9aw=',
} as const;

/**
 * The key ring of {@link testKeyEnv}.
 *
 * @example
 * const database = withKeyRing(await openDatabase({ dataDir }), testKeyRing);
 */
export const testKeyRing = parseKeyRing(testKeyEnv.PII_ENCRYPTION_KEYS, testKeyEnv.PII_INDEX_KEY);
