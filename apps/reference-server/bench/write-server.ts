/**
 * One server of the write benchmark, in its own process (forked by
 * bench/write.ts with IPC): `project` (the reference server's app),
 * `statements` / `one-statement` (the same-work baselines of
 * ./write-baselines.ts behind a bare Hono route on the same HTTP stack),
 * `bare` (a Hono route that only echoes), on PostgreSQL or PGlite; or
 * `pglite-ceiling`, which runs the baseline statements in-process on PGlite
 * with no HTTP at all. Counts the round trips it sends to PostgreSQL.
 *
 *   argv: <case> <pg url with search path | "pglite">
 *   IPC in: { setup } | { stats } | { ceiling: seconds }; out: { ready, url } | { stats, roundTrips } | { ceiling, writes, seconds }
 */
import { mkdtemp } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import pg from 'pg';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config/index.ts';
import { withKeyRing } from '../src/crypto/keys.ts';
import { type Database, openDatabase } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { serverMigrations } from '../src/features.ts';
import { createLogger } from '../src/observability/logger.ts';
import { createTenant } from '../src/tenants/service.ts';
import { testKeyRing } from '../test/helpers/pii-keys.ts';
import {
  AUDIT_HEAD_FUNCTION,
  type Query,
  type WriteInput,
  type WriteOutcome,
  writeWithOneStatement,
  writeWithStatements,
} from './write-baselines.ts';

const [kind = 'project', target = 'pglite', schema = ''] = process.argv.slice(2);
let roundTrips = 0;
// Every statement `pg` sends is one round trip (it does not pipeline).
const originalQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  roundTrips++;
  return (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
} as typeof originalQuery;

function send(message: unknown): void {
  process.send?.(message);
}

async function open(): Promise<Database> {
  if (target === 'pglite') {
    return openDatabase({ dataDir: await mkdtemp(join(tmpdir(), 'cb-bench-write-')) });
  }
  const url = new URL(target);
  url.searchParams.set('application_name', `cb_bench_${kind}`);
  return openDatabase({ url: url.toString(), searchPath: schema, poolSize: 10 });
}

/** Migrates a fresh PGlite and books its tenant and patient; PostgreSQL is set up by the parent. */
async function setUp(database: Database): Promise<{ apiKey: string; patientId: string }> {
  await migrateToLatest(database.db, serverMigrations);
  const tenant = await createTenant(database.db, { name: 'Bench clinic' });
  const app = createApp({
    database: withKeyRing(database, testKeyRing),
    config: loadConfig({ LOG_LEVEL: 'silent', PUBLIC_URL: 'http://127.0.0.1' }),
    logger: createLogger('silent'),
  });
  const res = await app.request('/api/v1/patients', {
    method: 'POST',
    headers: { authorization: `Bearer ${tenant.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ givenName: 'Bench', familyName: 'Patient' }),
  });
  const { id } = (await res.json()) as { id: string };
  return { apiKey: tenant.apiKey, patientId: id };
}

function queryOf(database: Database): Query {
  const pool = database.pool;
  if (pool) throw new Error('PostgreSQL baselines hold one client per write');
  const pglite = database.pglite;
  if (!pglite) throw new Error('no database');
  return async (text, values) =>
    (await pglite.query(text, values)).rows as Record<string, unknown>[];
}

function baselineApp(database: Database, write: typeof writeWithStatements): Hono {
  const app = new Hono();
  const pool = database.pool;
  app.post('/api/v1/appointments', async (c) => {
    const input: WriteInput = {
      apiKey: (c.req.header('authorization') ?? '').replace(/^Bearer /, ''),
      idempotencyKey: c.req.header('idempotency-key') ?? '',
      body: JSON.parse(await c.req.text()),
    };
    let outcome: WriteOutcome;
    if (pool) {
      const client = await pool.connect();
      try {
        const run: Query = async (text, values, name) =>
          (await client.query(name ? { name, text, values } : { text, values })).rows;
        outcome = await write(run, input, new Date());
      } finally {
        client.release();
      }
    } else {
      outcome = await write(queryOf(database), input, new Date());
    }
    return outcome.status === 201
      ? c.json(outcome.body as object, 201)
      : c.json({ status: outcome.status }, outcome.status);
  });
  return app;
}

function projectApp(database: Database): Hono {
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    RATE_LIMIT_HIGH_PER_MINUTE: '100000000',
    RATE_LIMIT_STANDARD_PER_MINUTE: '100000000',
    PUBLIC_URL: 'http://127.0.0.1',
  });
  return createApp({
    database: withKeyRing(database, testKeyRing),
    config,
    logger: createLogger('silent'),
  }) as unknown as Hono;
}

function listen(app: Hono): Promise<string> {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => {
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    }) as Server;
  });
}

async function ceiling(database: Database, seconds: number, fixture: WriteFixture) {
  const run = queryOf(database);
  const until = performance.now() + seconds * 1000;
  const started = performance.now();
  let writes = 0;
  while (performance.now() < until) {
    const outcome = await writeWithStatements(
      run,
      {
        apiKey: fixture.apiKey,
        idempotencyKey: `ceiling-${writes}-${started}`,
        body: fixture.body,
      },
      new Date(),
    );
    if (outcome.status !== 201) throw new Error(`ceiling write answered ${outcome.status}`);
    writes++;
  }
  return { writes, seconds: (performance.now() - started) / 1000 };
}

interface WriteFixture {
  apiKey: string;
  body: WriteInput['body'];
}

async function main(): Promise<void> {
  const database = await open();
  let fixture: { apiKey: string; patientId: string } | null = null;
  if (target === 'pglite') fixture = await setUp(database);
  if (database.pool && kind === 'one-statement') {
    await database.pool.query(AUDIT_HEAD_FUNCTION);
  }
  let url = '';
  if (kind === 'project') url = await listen(projectApp(database));
  else if (kind === 'statements') url = await listen(baselineApp(database, writeWithStatements));
  else if (kind === 'one-statement') {
    url = await listen(baselineApp(database, writeWithOneStatement));
  } else if (kind === 'bare') {
    const app = new Hono();
    app.post('/api/v1/appointments', async (c) =>
      c.json({ ok: true, echo: JSON.parse(await c.req.text()) }, 201),
    );
    url = await listen(app);
  }
  process.on(
    'message',
    (message: { stats?: true; ceiling?: number; body?: WriteInput['body'] }) => {
      if (message.stats) send({ stats: true, roundTrips });
      if (message.ceiling !== undefined && fixture && message.body) {
        void ceiling(database, message.ceiling, {
          apiKey: fixture.apiKey,
          body: message.body,
        }).then((result) => send({ ceiling: true, ...result }));
      }
    },
  );
  process.on('disconnect', () => {
    void database.close().finally(() => process.exit(0));
  });
  send({ ready: true, url, ...(fixture ?? {}) });
}

await main();
