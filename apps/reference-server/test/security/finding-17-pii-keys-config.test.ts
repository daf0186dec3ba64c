/**
 * Issue #10, finding 17: where the keys come from. PGlite without keys
 * generates a development ring into its data directory and keeps using it;
 * PostgreSQL without keys refuses to start; `pii rotate-key` moves a
 * database to the first key of PII_ENCRYPTION_KEYS.
 */
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { piiKeysCommand } from '../../src/cli/commands.ts';
import { ConfigError, loadConfig } from '../../src/config/index.ts';
import { DEV_KEYS_FILE, resolveKeyRing, withKeyRing } from '../../src/crypto/keys.ts';
import { openDatabase } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { serverMigrations } from '../../src/features.ts';
import { createPatient } from '../../src/patients/service.ts';
import { startServer } from '../../src/server.ts';
import { createTenant } from '../../src/tenants/service.ts';
import { testKeyEnv, testKeyRing } from '../helpers/pii-keys.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cb-pii-'));
  dirs.push(dir);
  return dir;
}

const newKey = Buffer.alloc(32, 9).toString('base64');

describe('finding 17: encryption keys from the configuration', () => {
  test('PGlite without keys keeps one development ring in its data directory', async () => {
    const dir = await tempDir();
    const config = loadConfig({ DATA_DIR: dir });
    const first = await resolveKeyRing(config);
    expect(first?.source).toBe('development');
    expect(statSync(join(dir, DEV_KEYS_FILE)).mode & 0o777).toBe(0o600);
    const again = await resolveKeyRing(config);
    expect(again?.ring.keks.get(first?.ring.activeKid ?? '')).toEqual(
      first?.ring.keks.get(first?.ring.activeKid ?? ''),
    );
    expect(again?.ring.indexKey).toEqual(first?.ring.indexKey);
  });

  test('configured keys win, are checked, and PostgreSQL refuses to start without them', async () => {
    const dir = await tempDir();
    const configured = await resolveKeyRing(loadConfig({ DATA_DIR: dir, ...testKeyEnv }));
    expect(configured?.source).toBe('configured');
    expect(existsSync(join(dir, DEV_KEYS_FILE))).toBe(false);
    await expect(
      resolveKeyRing(loadConfig({ ...testKeyEnv, PII_ENCRYPTION_KEYS: 'k1:c2hvcnQ=' })),
    ).rejects.toThrow(/PII_ENCRYPTION_KEYS: the key of entry 1 must be 32 bytes/);
    await expect(
      resolveKeyRing(loadConfig({ PII_ENCRYPTION_KEYS: testKeyEnv.PII_ENCRYPTION_KEYS })),
    ).rejects.toThrow(ConfigError);
    const postgres = loadConfig({ DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
    expect(await resolveKeyRing(postgres)).toBeNull();
    // Refused before the database is even opened (nothing listens on port 1).
    await expect(startServer({ config: { ...postgres, PORT: 0 } })).rejects.toThrow(
      /PII_ENCRYPTION_KEYS: required on PostgreSQL/,
    );
  });

  test('pii rotate-key moves every patient to the new first key', async () => {
    const dir = await tempDir();
    const seeded = withKeyRing(await openDatabase({ dataDir: dir }), testKeyRing);
    try {
      await migrateToLatest(seeded.db, serverMigrations);
      const tenant = await createTenant(seeded.db, { name: 'CLI clinic' });
      const change = {
        tenantId: tenant.tenantId,
        actor: { type: 'system' as const, id: 'test' },
        requestId: null,
        now: new Date(),
      };
      await createPatient(seeded.db, change, { givenName: 'A', familyName: 'B' });
      await createPatient(seeded.db, change, { givenName: 'C', familyName: 'D' });
    } finally {
      await seeded.close();
    }
    const config = loadConfig({
      DATA_DIR: dir,
      PII_ENCRYPTION_KEYS: `k-next:${newKey},${testKeyEnv.PII_ENCRYPTION_KEYS}`,
      PII_INDEX_KEY: testKeyEnv.PII_INDEX_KEY,
    });
    expect(await piiKeysCommand(config, { rotate: false, batch: 1 })).toEqual({
      activeKid: 'k-next',
      reencrypted: 0,
      keys: { 'test-1': 2 },
    });
    expect(await piiKeysCommand(config, { rotate: true, batch: 1 })).toEqual({
      activeKid: 'k-next',
      reencrypted: 2,
      keys: { 'k-next': 2 },
    });
  }, 120_000);
});
