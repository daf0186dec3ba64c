/**
 * The national catalogue sync end to end: started servers whose USHAŞ
 * adapter reads the fake catalogue served over HTTP on 127.0.0.1.
 * - After 13 hours of downtime (an injected clock), a restarted server runs
 *   exactly the two missed six-hourly slots, once each, and
 *   `ushas.sync.completed` carries the counts (an unchanged source costs
 *   one call).
 * - Two servers on one database run every slot exactly once: on PostgreSQL
 *   two server processes, on PGlite (one process by design) two servers in
 *   this process.
 * - A slot a dead process left running is taken over once its lease
 *   expired, and run once more.
 * - A source that is down leaves manual tasks on /ops, the later one
 *   refused by the open breaker without calling the source.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { FakeUshas, serveFakeProvider, USHAS_API } from '@clinicbridge/adapters/testing';
import { afterEach, describe, expect, test } from 'vitest';
import {
  openTestDatabase,
  type TestDatabase,
  testDatabaseKind,
} from '../../test/helpers/database.ts';
import { startTestServer, type TestServer } from '../../test/helpers/http-server.ts';
import { until } from '../../test/helpers/until.ts';
import { consoleFeature } from '../console/feature.ts';
import type { Feature } from '../feature.ts';
import { manualTasksFeature } from '../manual-tasks/feature.ts';
import { createTenant } from '../tenants/service.ts';
import { CATALOGUE_SYNC_SCHEDULE, catalogueSyncFeature } from './feature.ts';

const HOUR = 3_600_000;
const OPS_PASSWORD = 'catalogue-sync-ops-password';
const appDir = fileURLToPath(new URL('../..', import.meta.url));

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}, 60_000);

const providers = [
  {
    sourceId: 'USH-F-1001',
    kind: 'clinic' as const,
    names: { tr: 'Boğaziçi Diş', en: 'Bosphorus Dental' },
    specialty: null,
    clinicSourceId: null,
    active: true,
  },
  {
    sourceId: 'USH-D-7',
    kind: 'practitioner' as const,
    names: { tr: 'Dr. Ayşe Kaya', en: 'Dr Ayse Kaya' },
    specialty: 'dentistry',
    clinicSourceId: 'USH-F-1001',
    active: true,
  },
];
const implant = (amountMinor: number) => ({
  sourceId: 'DENT-IMPL-4',
  names: { tr: 'Diş implantı', en: 'Dental implant', ar: 'زراعة الأسنان' },
  durationMinutes: 120,
  prices: [{ clinicSourceId: 'USH-F-1001', currency: 'EUR', amountMinor }],
  active: true,
});

/** A fake catalogue served on 127.0.0.1, a fresh database and the tenant receiving the catalogue. */
async function world() {
  const fake = new FakeUshas('ushas-key');
  fake.setCatalogue({ providers, packages: [implant(250_000)] });
  const served = await serveFakeProvider(USHAS_API, fake.handlers());
  cleanups.push(() => served.close());
  const database = await openTestDatabase();
  cleanups.push(() => database.close());
  const tenant = await createTenant(database.db, { name: 'National catalogue clinic' });
  const env = {
    USHAS_API_KEY: fake.apiKey,
    USHAS_API_URL: served.url,
    USHAS_SYNC_TENANT: tenant.tenantId,
    WEBHOOK_POLL_INTERVAL: '50ms',
  };
  const versionCalls = () => fake.requests.filter((r) => r.includes('/catalogue/version')).length;
  return { fake, database, tenant, env, versionCalls };
}

const features = (): Feature[] => [manualTasksFeature, consoleFeature(), catalogueSyncFeature];

async function startOn(
  database: TestDatabase,
  env: Record<string, string>,
  now?: () => Date,
): Promise<TestServer> {
  const running = await startTestServer({
    database,
    tenantCount: 0,
    features: features(),
    env: { OPS_USER: 'ops', OPS_PASSWORD, ...env },
    ...(now ? { now } : {}),
  });
  cleanups.push(() => running.server.close());
  return running;
}

const runsOf = (database: TestDatabase) =>
  database.db
    .selectFrom('schedule_runs')
    .selectAll()
    .where('schedule', '=', CATALOGUE_SYNC_SCHEDULE)
    .orderBy('slot')
    .execute();

const finished = async (database: TestDatabase) =>
  (await runsOf(database)).filter((run) => run.status === 'done' || run.status === 'failed');

const syncEvents = (database: TestDatabase) =>
  database.db
    .selectFrom('events')
    .select(['data', 'tenant_id'])
    .where('type', '=', 'ushas.sync.completed')
    .orderBy('sequence')
    .execute();

describe('catalogue sync', () => {
  test('after 13 hours of downtime exactly the two missed slots run, once each', async () => {
    const { fake, database, tenant, env, versionCalls } = await world();
    let clock = new Date('2026-12-07T00:00:30Z');
    const first = await startOn(database, env, () => clock);
    await until(
      async () => ((await finished(database)).length === 1 ? true : undefined),
      'the first slot to run',
    );
    await first.server.close();

    // While no server runs, the source changes a price and the clock moves 13 hours.
    fake.setCatalogue({ providers, packages: [implant(240_000)] });
    clock = new Date(clock.getTime() + 13 * HOUR);
    await startOn(database, env, () => clock);
    await until(
      async () => ((await finished(database)).length === 3 ? true : undefined),
      'the two missed slots to run',
    );

    const runs = await runsOf(database);
    expect(runs.map((r) => [new Date(r.slot).toISOString(), r.status, r.attempts])).toEqual([
      ['2026-12-07T00:00:00.000Z', 'done', 1],
      ['2026-12-07T06:00:00.000Z', 'done', 1],
      ['2026-12-07T12:00:00.000Z', 'done', 1],
    ]);
    expect(versionCalls()).toBe(3);
    const events = await syncEvents(database);
    expect(events.every((e) => e.tenant_id === tenant.tenantId)).toBe(true);
    expect(events.map((e) => e.data)).toEqual([
      expect.objectContaining({
        slot: '2026-12-07T00:00:00.000Z',
        status: 'completed',
        added: 3,
        updated: 0,
        unchanged: 0,
        rejected: 0,
      }),
      expect.objectContaining({
        slot: '2026-12-07T06:00:00.000Z',
        status: 'completed',
        added: 0,
        updated: 1,
        unchanged: 2,
        rejected: 0,
      }),
      expect.objectContaining({
        slot: '2026-12-07T12:00:00.000Z',
        status: 'unchanged',
        added: 0,
        updated: 0,
        unchanged: 3,
      }),
    ]);
    // Only the first read of each version pages through the listings.
    expect(fake.requests.filter((r) => r.includes('/api/v2/packages'))).toHaveLength(2);
    const price = await database.db
      .selectFrom('service_prices')
      .select('amount')
      .where('tenant_id', '=', tenant.tenantId)
      .executeTakeFirstOrThrow();
    expect(Number(price.amount)).toBe(240_000);
  }, 120_000);

  test(`two servers on one ${testDatabaseKind} database run every slot exactly once`, async () => {
    const { database, env, versionCalls } = await world();
    const syncEnv = { ...env, USHAS_SYNC_CRON: '*/2 * * * * *' };
    if (testDatabaseKind === 'postgres') {
      await Promise.all([spawnServer(database, syncEnv), spawnServer(database, syncEnv)]);
    } else {
      await Promise.all([startOn(database, syncEnv), startOn(database, syncEnv)]);
    }
    // Slots that fell due once both servers were up, both racing for each.
    const bothUp = Date.now();
    const raced = async () =>
      (await finished(database)).filter((run) => new Date(run.slot).getTime() > bothUp);
    await until(
      async () => ((await raced()).length >= 4 ? true : undefined),
      'four slots to run with both servers up',
    );
    for (const cleanup of cleanups.splice(2).reverse()) await cleanup(); // stop both servers

    const runs = await finished(database);
    expect(runs.length).toBeGreaterThanOrEqual(4);
    const outcomes = runs.map((r) => [r.status, r.attempts, r.result]);
    expect(
      runs.every((r) => r.status === 'done' && r.attempts === 1),
      JSON.stringify(outcomes),
    ).toBe(true);
    // One source read and one event per slot: no slot ran twice.
    expect(versionCalls(), `source reads for ${runs.length} runs`).toBe(runs.length);
    expect(await syncEvents(database)).toHaveLength(runs.length);
    const slots = runs.map((r) => new Date(r.slot).getTime());
    expect(new Set(slots).size).toBe(slots.length);
  }, 120_000);

  test('a slot a dead process left running is run again once its lease expired, not before', async () => {
    const { database, env, versionCalls } = await world();
    const slot = new Date('2026-12-07T00:00:00Z');
    await database.db
      .insertInto('schedule_runs')
      .values({
        schedule: CATALOGUE_SYNC_SCHEDULE,
        slot,
        status: 'running',
        attempts: 1,
        owner: 'dead-process',
        enqueued_at: slot,
        started_at: slot,
      })
      .execute();
    await database.db
      .insertInto('schedule_leases')
      .values({
        schedule: CATALOGUE_SYNC_SCHEDULE,
        owner: 'dead-process',
        expires_at: new Date('2026-12-07T00:15:00Z'),
      })
      .execute();
    let clock = new Date('2026-12-07T00:05:00Z');
    await startOn(database, env, () => clock);
    // Within the lease the slot is left alone; past it (and the 60 s recheck) it is taken over.
    clock = new Date('2026-12-07T00:16:00Z');
    await until(
      async () => ((await finished(database)).length === 1 ? true : undefined),
      'the abandoned slot to be taken over',
    );
    const [run] = await runsOf(database);
    expect(run).toMatchObject({ status: 'done', attempts: 2 });
    expect(new Date(run?.started_at ?? 0).toISOString()).toBe('2026-12-07T00:16:00.000Z');
    expect(run?.owner).not.toBe('dead-process');
    expect(versionCalls()).toBe(1);
    expect(await syncEvents(database)).toHaveLength(1);
  }, 120_000);

  test('a source that stays down leaves manual tasks on /ops; the open breaker spares the source', async () => {
    const { fake, database, env, versionCalls } = await world();
    fake.failNext(1_000_000);
    let clock = new Date('2026-12-07T00:00:30Z');
    const running = await startOn(database, env, () => clock);
    await until(
      async () => ((await finished(database)).length === 1 ? true : undefined),
      'the first slot to give up',
    );
    const callsAfterFirst = versionCalls();
    expect(callsAfterFirst).toBeGreaterThan(1); // retried before giving up
    clock = new Date(clock.getTime() + 6 * HOUR);
    await until(
      async () => ((await finished(database)).length === 2 ? true : undefined),
      'the second slot to give up',
    );

    const runs = await runsOf(database);
    expect(runs.map((r) => (r.result as { status?: string } | null)?.status)).toEqual([
      'manual',
      'manual',
    ]);
    const tasks = await database.db
      .selectFrom('manual_tasks')
      .selectAll()
      .where('kind', '=', 'catalogue')
      .orderBy('created_at')
      .execute();
    expect(tasks).toHaveLength(2);
    expect(tasks.map((t) => t.subject_ref)).toEqual([
      'ushas-sync-2026-12-07T00-00-00-000Z',
      'ushas-sync-2026-12-07T06-00-00-000Z',
    ]);
    expect(tasks.at(-1)?.reason).toBe('circuit_open');
    // The open breaker answered at most one probe of the second slot.
    expect(versionCalls() - callsAfterFirst).toBeLessThanOrEqual(1);
    expect(await syncEvents(database)).toHaveLength(0);

    const page = await fetch(`${running.server.url}/ops/tasks`, {
      headers: {
        authorization: `Basic ${Buffer.from(`ops:${OPS_PASSWORD}`).toString('base64')}`,
      },
    });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('ushas-sync-2026-12-07T06-00-00-000Z');
    expect(html).toContain('The national catalogue (USHAŞ) could not be read');
  }, 120_000);
});

/** A server process on the test's PostgreSQL schema; stopped with SIGTERM by the cleanups. */
async function spawnServer(database: TestDatabase, env: Record<string, string>): Promise<void> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', './test/delivery/source-hooks.ts', 'test/catalogue-sync/server-process.ts'],
    {
      cwd: appDir,
      env: {
        ...process.env,
        ...env,
        DATABASE_URL: process.env.TEST_DATABASE_URL ?? '',
        TEST_SCHEMA: database.schema ?? '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  cleanups.push(async () => {
    child.kill('SIGTERM');
    await exited;
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve();
    });
    child.once('exit', (code) =>
      reject(new Error(`server process exited early (${code}): ${stderr.slice(0, 500)}`)),
    );
  });
}
