/**
 * The CLI as an operator runs it: `node src/cli.ts …` under Node's type
 * stripping (which also proves the server's source is erasable
 * TypeScript), against an on-disk PGlite data directory or PostgreSQL.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cliTestTimeout, runCli as runCliProcess } from '../../test/helpers/cli.ts';
import { loadConfig } from '../config/index.ts';
import { openDatabase } from '../db/database.ts';
import { createLogger } from '../observability/logger.ts';
import { startServer } from '../server.ts';

let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'cb-cli-'));
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

function cliEnv(): NodeJS.ProcessEnv {
  // On PostgreSQL the CLI uses the server's own schema, so only PGlite runs here in CI.
  const { DATABASE_URL: _ignored, ...env } = process.env;
  return { ...env, DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
}

async function runCli(args: string[]) {
  return runCliProcess(args, cliEnv());
}

// Each test makes at most four CLI calls.
describe('clinicbridge-server CLI', { timeout: cliTestTimeout(4) }, () => {
  test('create-tenant --json and create-token --json print the documented shapes', async () => {
    const tenant = JSON.parse(
      (await runCli(['create-tenant', '--name', 'CLI clinic', '--json'])).stdout,
    );
    expect(tenant).toEqual({
      tenantId: expect.stringMatching(/^ten_/),
      apiKey: expect.stringMatching(/^cbk_/),
      clientId: expect.stringMatching(/^cli_/),
      clientSecret: expect.stringMatching(/^cbs_/),
    });
    const token = JSON.parse(
      (
        await runCli([
          'create-token',
          '--tenant',
          tenant.tenantId,
          '--scopes',
          'read:appointments,write:appointments',
          '--json',
        ])
      ).stdout,
    );
    expect(token).toEqual({
      id: expect.stringMatching(/^tok_/),
      apiKey: expect.stringMatching(/^cbk_/),
      scopes: ['read:appointments', 'write:appointments'],
    });
  });

  test('finding 18: create-token and create-client --allow-ip store an IP allowlist', async () => {
    const tenant = JSON.parse(
      (await runCli(['create-tenant', '--name', 'Allowlist clinic', '--json'])).stdout,
    );
    const token = JSON.parse(
      (
        await runCli([
          'create-token',
          '--tenant',
          tenant.tenantId,
          '--scopes',
          'read:events',
          '--allow-ip',
          '10.20.0.0/16, 127.0.0.1',
          '--allow-ip',
          '2001:db8::/32',
          '--json',
        ])
      ).stdout,
    );
    expect(token.allowedIps).toEqual(['10.20.0.0/16', '127.0.0.1', '2001:db8::/32']);
    const client = JSON.parse(
      (
        await runCli([
          'create-client',
          '--tenant',
          tenant.tenantId,
          '--scopes',
          'read:events',
          '--allow-ip',
          '192.0.2.0/24',
          '--json',
        ])
      ).stdout,
    );
    expect(client).toEqual({
      clientId: expect.stringMatching(/^cli_/),
      clientSecret: expect.stringMatching(/^cbs_/),
      scopes: ['read:events'],
      allowedIps: ['192.0.2.0/24'],
    });
    const bad = await runCli([
      'create-token',
      '--tenant',
      tenant.tenantId,
      '--scopes',
      'read:events',
      '--allow-ip',
      'intranet',
    ]).catch((error: unknown) => error as { stderr: string; code: number });
    expect(bad).toMatchObject({ code: 1, stderr: expect.stringContaining('--allow-ip must list') });
    const database = await openDatabase({ dataDir });
    try {
      const key = await database.db
        .selectFrom('api_keys')
        .select('allowed_ips')
        .where('id', '=', token.id)
        .executeTakeFirstOrThrow();
      expect(key.allowed_ips).toEqual(['10.20.0.0/16', '127.0.0.1', '2001:db8::/32']);
      const row = await database.db
        .selectFrom('oauth_clients')
        .select('allowed_ips')
        .where('id', '=', client.clientId)
        .executeTakeFirstOrThrow();
      expect(row.allowed_ips).toEqual(['192.0.2.0/24']);
    } finally {
      await database.close();
    }
  });

  test('hl7-facility and hl7-map register a sending facility and a priced service', async () => {
    const tenant = JSON.parse(
      (await runCli(['create-tenant', '--name', 'HL7 clinic', '--json'])).stdout,
    );
    const facility = JSON.parse(
      (
        await runCli([
          'hl7-facility',
          '--tenant',
          tenant.tenantId,
          '--facility',
          'CITYHOSP',
          '--allow',
          '10.20.0.0/16, 127.0.0.1',
          '--utc-offset',
          '+05:30',
          '--json',
        ])
      ).stdout,
    );
    expect(facility).toEqual({ facilityId: expect.stringMatching(/^fac_/) });
    const mapped = await runCli([
      'hl7-map',
      '--tenant',
      tenant.tenantId,
      '--kind',
      'service',
      '--code',
      'MED',
      '--ref',
      'Ward stay, medicine',
      '--unit',
      'day',
      '--price',
      '450000',
      '--currency',
      'inr',
    ]);
    expect(mapped.stdout).toContain('service MED mapped');
    const bad = await runCli([
      'hl7-facility',
      '--tenant',
      tenant.tenantId,
      '--facility',
      'CITYHOSP',
      '--allow',
      'not-an-address',
    ]).catch((error: unknown) => error as { stderr: string; code: number });
    expect(bad).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('is not an IP address or CIDR range'),
    });
    const database = await openDatabase({ dataDir });
    try {
      const row = await database.db
        .selectFrom('hl7_facilities')
        .selectAll()
        .executeTakeFirstOrThrow();
      expect(row).toMatchObject({
        tenant_id: tenant.tenantId,
        sending_facility: 'CITYHOSP',
        allowed_sources: ['10.20.0.0/16', '127.0.0.1'],
        utc_offset_minutes: 330,
        processing_id: 'P',
      });
      const service = await database.db
        .selectFrom('hl7_service_mappings')
        .selectAll()
        .executeTakeFirstOrThrow();
      expect(service).toMatchObject({
        code: 'MED',
        unit: 'day',
        unit_price: 450_000,
        currency: 'INR',
      });
    } finally {
      await database.close();
    }
  });

  test('bad arguments and bad configuration fail with a clear message', async () => {
    const badScope = runCli(['create-token', '--tenant', 'ten_x', '--scopes', 'read:everything']);
    await expect(badScope).rejects.toMatchObject({
      stderr: expect.stringContaining('--scopes must list known scopes'),
    });
    const badPort = runCliProcess(['migrate'], { ...cliEnv(), PORT: 'eighty' });
    await expect(badPort).rejects.toMatchObject({ stderr: expect.stringContaining('PORT') });
    const unknown = runCli(['frobnicate']);
    await expect(unknown).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('Usage'),
    });
  });
});

const postgresUrl = process.env.TEST_DATABASE_URL;

describe.runIf(postgresUrl)(
  'clinicbridge-server CLI on PostgreSQL',
  { timeout: cliTestTimeout(2) },
  () => {
    test('create-tenant and create-token work while the server runs on the same database', async () => {
      const url = postgresUrl ?? '';
      const schema = `cli_${process.pid}_${Date.now().toString(36)}`;
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`create schema ${schema}`);
      const database = await openDatabase({ url, searchPath: schema });
      const server = await startServer({
        config: { ...loadConfig({ HOST: '127.0.0.1', LOG_LEVEL: 'silent' }), PORT: 0 },
        database,
        logger: createLogger('silent'),
      });
      try {
        const separator = url.includes('?') ? '&' : '?';
        const env = {
          ...cliEnv(),
          DATABASE_URL: `${url}${separator}options=${encodeURIComponent(`-c search_path=${schema}`)}`,
        };
        const runPg = (args: string[]) => runCliProcess(args, env);
        const tenant = JSON.parse(
          (await runPg(['create-tenant', '--name', 'PG clinic', '--json'])).stdout,
        );
        const token = JSON.parse(
          (
            await runPg([
              'create-token',
              '--tenant',
              tenant.tenantId,
              '--scopes',
              'read:appointments',
              '--json',
            ])
          ).stdout,
        );
        const res = await fetch(`${server.url}/api/v1/appointments`, {
          headers: { authorization: `Bearer ${token.apiKey}` },
        });
        expect(res.status).toBe(200);
      } finally {
        await server.close();
        await admin.query(`drop schema ${schema} cascade`);
        await admin.end();
      }
    });
  },
);
