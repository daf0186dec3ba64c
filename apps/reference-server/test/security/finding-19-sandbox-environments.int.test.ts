/**
 * Finding 19: sandbox and production never mix. A live server and a
 * sandbox server (SERVER_ENVIRONMENT=test) run on 127.0.0.1; each refuses
 * the other's API keys, client secrets and access tokens with 401
 * `environment_mismatch` over real HTTP, and keys issued before
 * environments existed keep working as live keys. `seed-sandbox` runs as
 * an operator runs it (`node src/cli.ts`) against its own data directory,
 * refuses a live configuration, and its printed test credential reads the
 * fake data back from a sandbox server started on that directory.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { insertApiKey } from '../../src/auth/credentials-queries.ts';
import { displayPrefix, hashSecret } from '../../src/auth/secrets.ts';
import { type SeededSandbox, seedSandbox } from '../../src/cli/seed-sandbox.ts';
import { loadConfig } from '../../src/config/index.ts';
import { resourceFeatures } from '../../src/features.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { openConfiguredDatabase, type RunningServer, startServer } from '../../src/server.ts';
import { startTestServer, type TestServer } from '../helpers/http-server.ts';

const run = promisify(execFile);
const cli = resolve(import.meta.dirname, '../../src/cli.ts');

let live: TestServer;
let sandbox: TestServer;

beforeAll(async () => {
  [live, sandbox] = await Promise.all([
    startTestServer({ tenantCount: 1 }),
    startTestServer({ tenantCount: 0, env: { SERVER_ENVIRONMENT: 'test' } }),
  ]);
}, 120_000);
afterAll(async () => {
  await Promise.all([live?.server.close(), sandbox?.server.close()]);
});

async function get(server: RunningServer, path: string, bearer: string) {
  const res = await fetch(`${server.url}${path}`, {
    headers: { authorization: `Bearer ${bearer}` },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function token(server: RunningServer, clientId: string, clientSecret: string) {
  const res = await fetch(`${server.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
    }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const mismatch = { status: 401, body: expect.objectContaining({ code: 'environment_mismatch' }) };

describe('finding 19: credentials carry their environment', () => {
  let seeded: SeededSandbox;

  beforeAll(async () => {
    seeded = await seedSandbox(sandbox.server.database.db);
  });

  test('finding 19: keys and secrets name their environment; the JWT carries env', async () => {
    const tenant = live.tenants[0];
    expect(tenant?.apiKey).toMatch(/^cbk_live_[A-Za-z0-9_-]{27}$/);
    expect(tenant?.clientSecret).toMatch(/^cbs_live_/);
    expect(seeded.apiKey).toMatch(/^cbk_test_[A-Za-z0-9_-]{27}$/);
    expect(seeded.clientSecret).toMatch(/^cbs_test_/);

    const liveJwt = await token(live.server, tenant?.clientId ?? '', tenant?.clientSecret ?? '');
    expect(liveJwt.status).toBe(200);
    expect(decodeJwt(String(liveJwt.body.access_token)).env).toBe('live');
    const testJwt = await token(sandbox.server, seeded.clientId, seeded.clientSecret);
    expect(testJwt.status).toBe(200);
    expect(decodeJwt(String(testJwt.body.access_token)).env).toBe('test');
  });

  test('finding 19: a live server refuses test credentials with environment_mismatch', async () => {
    expect(await get(live.server, '/api/v1/patients', seeded.apiKey)).toEqual(mismatch);
    // A test key that does not exist anywhere gets the same answer: nothing is looked up.
    expect(await get(live.server, '/api/v1/patients', `cbk_test_${'x'.repeat(27)}`)).toEqual(
      mismatch,
    );
    expect(await token(live.server, seeded.clientId, seeded.clientSecret)).toEqual(mismatch);
    const testJwt = await token(sandbox.server, seeded.clientId, seeded.clientSecret);
    expect(await get(live.server, '/api/v1/patients', String(testJwt.body.access_token))).toEqual(
      mismatch,
    );
  });

  test('finding 19: a sandbox server refuses live credentials with environment_mismatch', async () => {
    const tenant = live.tenants[0];
    if (!tenant) throw new Error('no live tenant');
    expect(await get(live.server, '/api/v1/patients', tenant.apiKey)).toMatchObject({
      status: 200,
    });
    expect(await get(sandbox.server, '/api/v1/patients', tenant.apiKey)).toEqual(mismatch);
    expect(await token(sandbox.server, tenant.clientId, tenant.clientSecret)).toEqual(mismatch);
    const liveJwt = await token(live.server, tenant.clientId, tenant.clientSecret);
    const bearer = String(liveJwt.body.access_token);
    expect(await get(live.server, '/api/v1/patients', bearer)).toMatchObject({ status: 200 });
    expect(await get(sandbox.server, '/api/v1/patients', bearer)).toEqual(mismatch);
  });

  test('finding 19: a key issued before environments counts as live', async () => {
    const tenant = live.tenants[0];
    if (!tenant) throw new Error('no live tenant');
    const legacy = `cbk_${'L'.repeat(27)}`;
    await insertApiKey(live.server.database.db, {
      id: 'tok_legacyenvironmentkey00',
      tenant_id: tenant.tenantId,
      name: 'Issued before environments',
      key_hash: hashSecret(legacy),
      key_prefix: displayPrefix(legacy),
      scopes: JSON.stringify(['read:patients']),
      status: 'active',
      tier: 'standard',
      created_by: 'operator:cli',
      created_at: new Date(),
      expires_at: null,
      revoked_at: null,
      last_used_at: null,
      allowed_ips: null,
    });
    expect(await get(live.server, '/api/v1/patients', legacy)).toMatchObject({ status: 200 });
    expect(await get(sandbox.server, '/api/v1/patients', legacy)).toEqual(mismatch);
  });

  test('finding 19: a key minted through the sandbox API is a test key', async () => {
    const res = await fetch(`${sandbox.server.url}/api/v1/integration-tokens`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${seeded.apiKey}`,
        'content-type': 'application/json',
        'idempotency-key': crypto.randomUUID(),
      },
      body: JSON.stringify({ name: 'Partner trial', scopes: ['read:patients'] }),
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { apiKey: string; keyPrefix: string };
    expect(created.apiKey).toMatch(/^cbk_test_/);
    expect(created.keyPrefix).toMatch(/^cbk_test_.{8}$/);
    expect(await get(sandbox.server, '/api/v1/patients', created.apiKey)).toMatchObject({
      status: 200,
    });
  });
});

describe('finding 19: clinicbridge-server seed-sandbox', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'cb-sandbox-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  function runCli(args: string[], env: Record<string, string>) {
    const { DATABASE_URL: _ignored, ...inherited } = process.env;
    return run(process.execPath, [cli, ...args], {
      env: { ...inherited, DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...env },
      timeout: 90_000,
    });
  }

  test('finding 19: seed-sandbox refuses a live configuration', async () => {
    const refused = await runCli(['seed-sandbox'], {}).then(
      () => undefined,
      (error: { code?: number; stderr?: string }) => error,
    );
    expect(refused?.code).toBe(1);
    expect(refused?.stderr).toContain('SERVER_ENVIRONMENT=test');
  }, 90_000);

  test('finding 19: the printed test credential reads the fake data from a sandbox server', async () => {
    const { stdout } = await runCli(['seed-sandbox', '--json'], { SERVER_ENVIRONMENT: 'test' });
    const printed = JSON.parse(stdout) as SeededSandbox;
    expect(printed).toMatchObject({ patients: 3, appointments: 3, invoices: 3, payments: 2 });
    expect(printed.apiKey).toMatch(/^cbk_test_/);

    const config = loadConfig({
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      SERVER_ENVIRONMENT: 'test',
      CREATE_DEMO_TENANT: 'false',
    });
    const server = await startServer({
      config: { ...config, PORT: 0 },
      // Opened as `start` opens it: with the development key seed-sandbox generated there.
      database: await openConfiguredDatabase({ ...config, DATA_DIR: dataDir }),
      logger: createLogger('silent'),
      features: resourceFeatures,
    });
    try {
      const list = async (path: string) => {
        const res = await get(server, path, printed.apiKey);
        expect(res.status).toBe(200);
        return res.body.data as Array<Record<string, unknown>>;
      };
      const patients = await list('/api/v1/patients');
      expect(patients).toHaveLength(3);
      expect(patients.map((p) => p.familyName)).toEqual(
        expect.arrayContaining(['Sandbox-One', 'Sandbox-Two', 'Sandbox-Three']),
      );
      expect(await list('/api/v1/appointments')).toHaveLength(3);
      expect(await list('/api/v1/invoices')).toHaveLength(3);
      expect(await list('/api/v1/payments')).toHaveLength(2);
    } finally {
      await server.close();
    }
  }, 120_000);
});
