/**
 * Issue #10, finding 6: after `rotate-signing-key` a running process kept
 * signing with the retired key, because keys were loaded once. Rotation now
 * notifies `clinicbridge_signing_keys` at commit and every server listens
 * (PostgreSQL LISTEN/NOTIFY); whatever happens to the notification, a
 * process re-reads the active key at most `SIGNING_KEYS_RECHECK_MS` after
 * its last read, and verifying an unknown `kid` reloads at once.
 */
import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { signAccessToken } from '../../src/auth/access-tokens.ts';
import {
  rotateSigningKey,
  SIGNING_KEYS_RECHECK_MS,
  SigningKeys,
} from '../../src/auth/signing-keys.ts';
import { loadConfig } from '../../src/config/index.ts';
import { openDatabase } from '../../src/db/database.ts';
import { resourceFeatures } from '../../src/features.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { type RunningServer, startServer } from '../../src/server.ts';
import { type CreatedTenant, createTenant } from '../../src/tenants/service.ts';
import { openTestDatabase, type TestDatabase, testDatabaseKind } from '../helpers/database.ts';

const kidOf = (jwt: string) => decodeProtectedHeader(jwt).kid;

describe.runIf(testDatabaseKind === 'postgres')(
  'finding 6: a rotation reaches every server process on one PostgreSQL',
  () => {
    let database: TestDatabase;
    let a: RunningServer;
    let b: RunningServer;
    let tenant: CreatedTenant;

    beforeAll(async () => {
      database = await openTestDatabase();
      tenant = await createTenant(database.db, { name: 'Clinic' });
      const config = {
        ...loadConfig({ HOST: '127.0.0.1', LOG_LEVEL: 'silent', PUBLIC_URL: 'http://api.test' }),
        PORT: 0,
      };
      const options = { config, logger: createLogger('silent'), features: resourceFeatures };
      a = await startServer({ ...options, database });
      // A second process in all but name: its own pool, its own key cache, the same schema.
      const url = process.env.TEST_DATABASE_URL ?? '';
      const second = await openDatabase({ url, searchPath: database.schema ?? '', poolSize: 2 });
      b = await startServer({ ...options, database: second });
    });
    afterAll(async () => {
      await b?.close();
      await a?.close();
    });

    async function token(server: RunningServer): Promise<string> {
      const res = await fetch(`${server.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: tenant.clientId,
          client_secret: tenant.clientSecret,
          scope: 'read:appointments',
        }),
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { access_token: string }).access_token;
    }

    const accepted = async (server: RunningServer, jwt: string) =>
      (
        await fetch(`${server.url}/api/v1/appointments`, {
          headers: { authorization: `Bearer ${jwt}` },
        })
      ).status;

    test('finding 6: the other process signs with the new kid within the bound; tokens of either verify on both', async () => {
      const oldKid = kidOf(await token(b));
      expect(kidOf(await token(a))).toBe(oldKid);

      const started = performance.now();
      const newKid = await rotateSigningKey(a.database.db, new Date());
      expect(newKid).not.toBe(oldKid);
      expect(kidOf(await token(a))).toBe(newKid);

      // The notification normally arrives in milliseconds; the recheck bound is the ceiling.
      let fromB = await token(b);
      while (kidOf(fromB) !== newKid && performance.now() - started < SIGNING_KEYS_RECHECK_MS) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        fromB = await token(b);
      }
      expect(kidOf(fromB)).toBe(newKid);
      expect(performance.now() - started).toBeLessThan(SIGNING_KEYS_RECHECK_MS);

      const fromA = await token(a);
      for (const server of [a, b]) {
        expect(await accepted(server, fromA)).toBe(200);
        expect(await accepted(server, fromB)).toBe(200);
      }
    });
  },
);

describe('finding 6: without notifications, the active key is re-checked within the bound', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(() => database.close());

  test('finding 6: a process that misses the notification stops signing with the retired key after SIGNING_KEYS_RECHECK_MS', async () => {
    let elapsed = 0;
    const options = { tokenTtlSeconds: 900, elapsedMs: () => elapsed };
    // Two caches on one database, neither listening: as two processes on PGlite, or a lost NOTIFY.
    const signer = new SigningKeys(database.db, options);
    const rotator = new SigningKeys(database.db, options);
    const tokens = { issuer: 'http://api.test', audience: 'http://api.test/api', ttlSeconds: 900 };
    const claims = {
      tenantId: 'ten_x',
      clientId: 'cli_x',
      scopes: ['read:appointments' as const],
      tier: 'standard' as const,
      environment: 'live' as const,
    };
    const sign = async () => kidOf(await signAccessToken(signer, tokens, claims, new Date()));

    const oldKid = await sign();
    const newKid = await rotateSigningKey(database.db, new Date());
    expect((await rotator.current()).kid).toBe(newKid);

    elapsed += SIGNING_KEYS_RECHECK_MS - 1;
    expect(await sign()).toBe(oldKid);
    elapsed += 1;
    expect(await sign()).toBe(newKid);

    // The retired key still verifies its tokens; the new one verifies on the other cache at once.
    expect(await rotator.verificationKey(oldKid ?? '')).not.toBeNull();
    expect(await signer.verificationKey(newKid)).not.toBeNull();
  });

  test('finding 6: the change notification makes the next token use the new key at once', async () => {
    const signer = new SigningKeys(database.db, { tokenTtlSeconds: 900, elapsedMs: () => 0 });
    const stop = await signer.watch(database);
    try {
      await signer.current();
      const newKid = await rotateSigningKey(database.db, new Date());
      let kid = (await signer.current()).kid;
      for (let i = 0; i < 100 && kid !== newKid; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        kid = (await signer.current()).kid;
      }
      expect(kid).toBe(newKid);
    } finally {
      await stop();
    }
  });
});
