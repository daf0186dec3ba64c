/**
 * Benchmark of the API's write path: requests/s and p99 latency of an
 * authenticated, idempotent `POST /api/v1/appointments` (API key lookup,
 * scope, rate limit, validation, then one transaction holding the locked
 * idempotency-key lookup, the row, the audit entry, the outbox event and the
 * stored response), on
 * embedded PGlite and on PostgreSQL, against a bare Hono route on the same
 * HTTP server stack in the same run.
 *
 *   node bench/api.ts        (needs the workspace packages built: pnpm build)
 *
 * PostgreSQL is BENCH_DATABASE_URL, else TEST_DATABASE_URL, else
 * postgres://postgres@127.0.0.1:5432/test; when none answers that half is
 * skipped with a note. Each case: 1 s warm-up, then PHASE_SECONDS of load
 * from CONCURRENCY keep-alive connections (undici) in this process.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import pg from 'pg';
import { Pool } from 'undici';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config/index.ts';
import { type Database, openDatabase } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { serverMigrations } from '../src/features.ts';
import { createLogger } from '../src/observability/logger.ts';
import { createTenant } from '../src/tenants/service.ts';

const PHASE_SECONDS = Number(process.env.PHASE_SECONDS ?? 5);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 10);

interface Result {
  name: string;
  requests: number;
  errors: number;
  perSecond: number;
  p50: number;
  p99: number;
}

function listen(
  fetch: (req: Request) => Response | Promise<Response>,
): Promise<{ url: string; server: Server }> {
  return new Promise((resolve) => {
    const server = serve({ fetch, port: 0, hostname: '127.0.0.1' }, () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}`, server: server as Server });
    }) as Server;
  });
}

async function load(
  name: string,
  url: string,
  makeRequest: (i: number) => { path: string; headers: Record<string, string>; body: string },
): Promise<Result> {
  const pool = new Pool(url, { connections: CONCURRENCY, pipelining: 1 });
  let counter = 0;
  const run = async (seconds: number, latencies: number[] | null) => {
    const until = performance.now() + seconds * 1000;
    let errors = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (performance.now() < until) {
          const { path, headers, body } = makeRequest(counter++);
          const started = performance.now();
          const res = await pool.request({ method: 'POST', path, headers, body });
          await res.body.text();
          if (res.statusCode !== 201) errors++;
          latencies?.push(performance.now() - started);
        }
      }),
    );
    return errors;
  };
  await run(1, null);
  const latencies: number[] = [];
  const started = performance.now();
  const errors = await run(PHASE_SECONDS, latencies);
  const elapsed = (performance.now() - started) / 1000;
  await pool.close();
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    name,
    requests: latencies.length,
    errors,
    perSecond: latencies.length / elapsed,
    p50: at(0.5),
    p99: at(0.99),
  };
}

async function bareHono(): Promise<Result> {
  const app = new Hono();
  app.post('/bare', async (c) => c.json({ ok: true, echo: await c.req.json() }, 201));
  const { url, server } = await listen(app.fetch);
  const body = JSON.stringify({ service: 'Consultation' });
  const result = await load('bare Hono route (baseline)', url, () => ({
    path: '/bare',
    headers: { 'content-type': 'application/json' },
    body,
  }));
  server.close();
  return result;
}

async function appointments(name: string, database: Database): Promise<Result> {
  await migrateToLatest(database.db, serverMigrations);
  const tenant = await createTenant(database.db, { name: 'Bench clinic' });
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    RATE_LIMIT_HIGH_PER_MINUTE: '100000000',
    PUBLIC_URL: 'http://127.0.0.1',
  });
  const app = createApp({ database, config, logger: createLogger('silent') });
  const patient = await app.request('/api/v1/patients', {
    method: 'POST',
    headers: { authorization: `Bearer ${tenant.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ givenName: 'Bench', familyName: 'Patient' }),
  });
  const { id: patientId } = (await patient.json()) as { id: string };
  const { url, server } = await listen(app.fetch);
  const body = JSON.stringify({
    patientId,
    service: 'Consultation',
    startsAt: '2026-12-01T09:00:00Z',
    endsAt: '2026-12-01T09:30:00Z',
  });
  const run = `${Date.now()}`;
  const result = await load(name, url, (i) => ({
    path: '/api/v1/appointments',
    headers: {
      authorization: `Bearer ${tenant.apiKey}`,
      'content-type': 'application/json',
      'idempotency-key': `bench-${run}-${i}`,
    },
    body,
  }));
  server.close();
  return result;
}

async function postgresUrl(): Promise<string | null> {
  const url =
    process.env.BENCH_DATABASE_URL ??
    process.env.TEST_DATABASE_URL ??
    'postgres://postgres@127.0.0.1:5432/test';
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return url;
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  console.log(
    `reference server bench: ${CONCURRENCY} connections, ${PHASE_SECONDS} s per case (Node ${process.version})`,
  );
  const results: Result[] = [await bareHono()];

  const dir = await mkdtemp(join(tmpdir(), 'cb-bench-'));
  const pglite = await openDatabase({ dataDir: dir });
  results.push(await appointments('POST /api/v1/appointments on PGlite', pglite));
  await pglite.close();
  await rm(dir, { recursive: true, force: true });

  const url = await postgresUrl();
  if (url) {
    const schema = `bench_${process.pid}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    try {
      const postgres = await openDatabase({ url, searchPath: schema, poolSize: 10 });
      results.push(await appointments('POST /api/v1/appointments on PostgreSQL', postgres));
      await postgres.close();
    } finally {
      await admin.query(`drop schema ${schema} cascade`);
      await admin.end();
    }
  } else {
    console.log(
      'note: no PostgreSQL answered (BENCH_DATABASE_URL / TEST_DATABASE_URL / 127.0.0.1:5432); PostgreSQL case skipped',
    );
  }

  const base = results[0] as Result;
  console.log('');
  console.log('| case | requests/s | vs bare Hono | p50 ms | p99 ms | p99 vs bare | non-201 |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    console.log(
      `| ${r.name} | ${Math.round(r.perSecond).toLocaleString('en')} | ${((r.perSecond / base.perSecond) * 100).toFixed(1)}% | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${(r.p99 / base.p99).toFixed(1)}× | ${r.errors} |`,
    );
  }
}

await main();
