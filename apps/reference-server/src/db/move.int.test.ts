/**
 * `clinicbridge-server move-to-postgres` as a clinic moving off its trial
 * runs it: a server on a PGlite data directory takes writes, stops, the CLI
 * moves the data into an empty PostgreSQL database, and a server on
 * PostgreSQL serves the same rows to the same credentials, with the audit
 * chain intact and ids continuing. Needs PostgreSQL (TEST_DATABASE_URL).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { verifyAuditChain } from '../audit/verify.ts';
import { loadConfig } from '../config/index.ts';
import { DEV_KEYS_FILE } from '../crypto/keys.ts';
import { createLogger } from '../observability/logger.ts';
import { openConfiguredDatabase, startServer } from '../server.ts';
import { createTenant } from '../tenants/service.ts';

const run = promisify(execFile);
const cli = resolve(import.meta.dirname, '../cli.ts');
const postgresUrl = process.env.TEST_DATABASE_URL;

describe.runIf(postgresUrl)('move-to-postgres', () => {
  const schema = `move_${process.pid}_${Date.now().toString(36)}`;
  let dataDir: string;
  let admin: pg.Client;
  let targetUrl: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'cb-move-'));
    admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    const url = postgresUrl ?? '';
    targetUrl = `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  });
  afterAll(async () => {
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.end();
    await rm(dataDir, { recursive: true, force: true });
  });

  const quiet = () => ({ ...loadConfig({ HOST: '127.0.0.1', LOG_LEVEL: 'silent' }), PORT: 0 });
  const moveCli = (extra: NodeJS.ProcessEnv = {}) => {
    const { DATABASE_URL: _unset, ...env } = process.env;
    return run(process.execPath, [cli, 'move-to-postgres', '--to', targetUrl, '--json'], {
      env: { ...env, DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...extra },
      timeout: 120_000,
    });
  };

  test('rows, credentials, the audit chain and id sequences arrive; a second move is refused', async () => {
    // 1. A trial on PGlite takes writes over HTTP.
    // Opened as `start` opens it: with the development key it generates beside the data.
    const trialDb = await openConfiguredDatabase({ ...quiet(), DATA_DIR: dataDir });
    const trial = await startServer({
      config: quiet(),
      database: trialDb,
      logger: createLogger('silent'),
    });
    const tenant = await createTenant(trialDb.db, { name: 'Trial clinic' });
    const auth = { authorization: `Bearer ${tenant.apiKey}`, 'content-type': 'application/json' };
    const created = (await (
      await fetch(`${trial.url}/api/v1/patients`, {
        method: 'POST',
        headers: { ...auth, 'idempotency-key': 'move-1' },
        body: JSON.stringify({ givenName: 'Ayşe', familyName: 'Demir', birthDate: '1985-03-02' }),
      })
    ).json()) as { id: string };
    expect(created.id).toMatch(/^pat_/);
    const before = await (
      await fetch(`${trial.url}/api/v1/patients/${created.id}`, { headers: auth })
    ).json();
    const eventsBefore = (await (
      await fetch(`${trial.url}/api/v1/events`, { headers: auth })
    ).json()) as { data: unknown[] };
    await trial.close();

    // 2. The CLI moves the stopped trial's data into the empty PostgreSQL schema.
    const report = JSON.parse((await moveCli()).stdout) as {
      tables: { name: string; rows: number }[];
      keys: string;
    };
    expect(report.keys).toBe('development');
    const rowsOf = (name: string) => report.tables.find((t) => t.name === name)?.rows;
    expect(rowsOf('patients')).toBe(1);
    expect(rowsOf('tenants')).toBe(1);
    expect(rowsOf('audit_events')).toBeGreaterThan(0);

    // 3. A server on PostgreSQL serves the same rows to the same API key.
    // The PostgreSQL server is given the trial's development keys, as the command says.
    const devKeys = JSON.parse(await readFile(join(dataDir, DEV_KEYS_FILE), 'utf8')) as {
      keys: string;
      indexKey: string;
    };
    const movedDb = await openConfiguredDatabase({
      ...quiet(),
      DATABASE_URL: targetUrl,
      PII_ENCRYPTION_KEYS: devKeys.keys,
      PII_INDEX_KEY: devKeys.indexKey,
    });
    const moved = await startServer({
      config: quiet(),
      database: movedDb,
      logger: createLogger('silent'),
    });
    try {
      const after = await fetch(`${moved.url}/api/v1/patients/${created.id}`, { headers: auth });
      expect(after.status).toBe(200);
      expect(await after.json()).toEqual(before);
      const eventsAfter = (await (
        await fetch(`${moved.url}/api/v1/events`, { headers: auth })
      ).json()) as { data: unknown[] };
      expect(eventsAfter.data).toEqual(eventsBefore.data);
      expect((await verifyAuditChain(movedDb.db)).broken).toBeNull();

      // Identity sequences continue: a new write gets a new event after the moved ones.
      const next = await fetch(`${moved.url}/api/v1/patients`, {
        method: 'POST',
        headers: { ...auth, 'idempotency-key': 'move-2' },
        body: JSON.stringify({ givenName: 'Mehmet', familyName: 'Kaya', birthDate: '1979-11-20' }),
      });
      expect(next.status).toBe(201);
      expect((await verifyAuditChain(movedDb.db)).broken).toBeNull();
    } finally {
      await moved.close();
    }

    // 4. The target now holds data: a second move is refused and changes nothing.
    const { rows: countBefore } = await admin.query(
      `select count(*)::int as n from ${schema}.patients`,
    );
    await expect(moveCli()).rejects.toMatchObject({
      stderr: expect.stringContaining('already holds data'),
    });
    const { rows: countAfter } = await admin.query(
      `select count(*)::int as n from ${schema}.patients`,
    );
    expect(countAfter).toEqual(countBefore);
  }, 240_000);

  test('refuses when DATABASE_URL is set, instead of reading the wrong source', async () => {
    await expect(moveCli({ DATABASE_URL: targetUrl })).rejects.toMatchObject({
      stderr: expect.stringContaining('unset DATABASE_URL'),
    });
  }, 60_000);
});
