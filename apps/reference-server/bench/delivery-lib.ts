/**
 * Shared pieces of the benchmarks: opening a benchmark database (in-memory
 * PGlite, or a fresh schema on PostgreSQL when one answers), serving an app
 * on 127.0.0.1, percentiles, CPU per call and per request, cases interleaved
 * round by round, and a concurrency-bounded loop of undici POSTs.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import pg from 'pg';
import { type Dispatcher, request } from 'undici';
import { type Database, openDatabase } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { serverMigrations } from '../src/features.ts';

/**
 * PostgreSQL used by the benchmarks: BENCH_DATABASE_URL, TEST_DATABASE_URL or the local default.
 *
 * @example
 * new pg.Client({ connectionString: postgresUrl });
 */
export const postgresUrl =
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/test';

/**
 * Whether PostgreSQL answers at {@link postgresUrl}.
 *
 * @example
 * if (!(await postgresAnswers())) console.log('skipping PostgreSQL');
 */
export async function postgresAnswers(): Promise<boolean> {
  const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 1_000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

/**
 * A benchmark database.
 *
 * @example
 * const { schema }: BenchDatabase = await openBenchDatabase('postgres');
 */
export interface BenchDatabase extends Database {
  /** Its PostgreSQL schema (first on the search path), or null on PGlite. */
  schema: string | null;
}

/**
 * A migrated database for one benchmark case; `close` drops its schema.
 * PostgreSQL connections carry `application` as their `application_name`
 * (a case that measures its own backends passes a name of its own).
 *
 * @example
 * const database = await openBenchDatabase('pglite');
 */
export async function openBenchDatabase(
  kind: 'pglite' | 'postgres',
  application: string = BENCH_APPLICATION,
): Promise<BenchDatabase> {
  if (kind === 'pglite') {
    const database = await openDatabase({ dataDir: 'memory://' });
    await migrateToLatest(database.db, serverMigrations);
    return { ...database, schema: null };
  }
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const url = new URL(postgresUrl);
  // Named so the benchmark finds its backends in pg_stat_activity (see backendCpuMicros).
  url.searchParams.set('application_name', application);
  const database = await openDatabase({ url: url.href, searchPath: schema, poolSize: 10 });
  await migrateToLatest(database.db, serverMigrations);
  return {
    ...database,
    schema,
    close: async () => {
      await database.close();
      const drop = new pg.Client({ connectionString: postgresUrl });
      await drop.connect();
      await drop.query(`drop schema ${schema} cascade`);
      await drop.end();
    },
  };
}

/** `application_name` of the PostgreSQL connections of a benchmark database. */
export const BENCH_APPLICATION = 'cb_bench_delivery';

const TICK_MICROS = 1_000_000 / 100; // USER_HZ is 100 on Linux

function processCpuMicros(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MICROS;
  } catch {
    return 0; // the backend exited, or no /proc here
  }
}

/**
 * CPU time (µs, user + system, from /proc) of the PostgreSQL backends of the
 * benchmark databases (those named `application`), per backend pid; empty
 * without PostgreSQL or /proc.
 * A backend that exits between two readings drops out of the difference.
 *
 * @example
 * const before = await backendCpuMicros(); …; const used = backendCpuSince(before, await backendCpuMicros());
 */
export async function backendCpuMicros(
  application: string = BENCH_APPLICATION,
): Promise<Map<number, number>> {
  const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 1_000 });
  try {
    await client.connect();
    const { rows } = await client.query<{ pid: number }>(
      'select pid from pg_stat_activity where application_name = $1',
      [application],
    );
    return new Map(rows.map((r) => [r.pid, processCpuMicros(r.pid)]));
  } catch {
    return new Map();
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * CPU µs used by the backends between two {@link backendCpuMicros} readings
 * (a backend new in the second counts from zero).
 *
 * @example
 * backendCpuSince(new Map([[1, 10]]), new Map([[1, 30], [2, 5]])); // 25
 */
export function backendCpuSince(
  before: ReadonlyMap<number, number>,
  after: ReadonlyMap<number, number>,
): number {
  let used = 0;
  for (const [pid, micros] of after) used += micros - (before.get(pid) ?? 0);
  return used;
}

/**
 * The p-th percentile (0..100) of a list of numbers.
 *
 * @example
 * percentile([1, 2, 3, 4], 50); // 2
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[
    Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  ] as number;
}

/**
 * CPU µs (user and system, this process) per call of `run`, over `count` calls.
 *
 * @example
 * const micros = cpuMicrosPerCall(10_000, () => encryptField(ring, value, at));
 */
export function cpuMicrosPerCall(count: number, run: (i: number) => void): number {
  const cpu = process.cpuUsage();
  for (let i = 0; i < count; i++) run(i);
  const used = process.cpuUsage(cpu);
  return (used.user + used.system) / count;
}

/**
 * CPU µs (user and system, this process) per request over `count` calls of
 * `send`, `concurrency` of them at a time: with the app served in this
 * process, the route's and the load's CPU together.
 *
 * @example
 * const micros = await cpuMicrosPerRequest(8_000, 10, async () => void (await pool.request({ method: 'GET', path: '/' })).body.text());
 */
export async function cpuMicrosPerRequest(
  count: number,
  concurrency: number,
  send: () => Promise<void>,
): Promise<number> {
  let sent = 0;
  const cpu = process.cpuUsage();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (sent++ < count) await send();
    }),
  );
  const used = process.cpuUsage(cpu);
  return (used.user + used.system) / count;
}

/**
 * Serves `app` on 127.0.0.1 (a free port) in this process, once it listens.
 *
 * @example
 * const served = await serveOnLoopback(app); await fetch(`${served.url}/healthz`); await served.close();
 */
export async function serveOnLoopback(app: {
  fetch: (request: Request) => Response | Promise<Response>;
}): Promise<{ readonly url: string; close(): Promise<void> }> {
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((done) => server.once('listening', () => done()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

/**
 * Runs every case once to warm up, then `rounds` rounds with the cases
 * interleaved (A B C A B C …), so none gets the warmer JIT or the quieter
 * minute; answers each case's median over the rounds.
 *
 * @example
 * const { none, allowed } = await interleavedMedians(5, { none: () => pass(), allowed: () => pass(ORIGIN) });
 */
export async function interleavedMedians<Name extends string>(
  rounds: number,
  cases: Record<Name, () => number | Promise<number>>,
): Promise<Record<Name, number>> {
  const names = Object.keys(cases) as Name[];
  const seen = new Map<Name, number[]>(names.map((name) => [name, []]));
  for (let round = 0; round <= rounds; round++) {
    for (const name of names) {
      const value = await cases[name]();
      if (round > 0) seen.get(name)?.push(value);
    }
  }
  return Object.fromEntries(
    names.map((name) => [name, percentile(seen.get(name) ?? [], 50)]),
  ) as Record<Name, number>;
}

/**
 * Result of a request loop.
 *
 * @example
 * const { perSecond, p99 }: LoopResult = await postLoop(agent, url, 1_000, 50, make);
 */
export interface LoopResult {
  perSecond: number;
  p50: number;
  p99: number;
  failures: number;
}

/**
 * Sends `total` POSTs with at most `concurrency` in flight; `make(i)` gives each body and headers.
 *
 * @example
 * const r = await postLoop(agent, url, 2000, 50, () => ({ body: '{}', headers: {} }));
 */
export async function postLoop(
  dispatcher: Dispatcher,
  url: string,
  total: number,
  concurrency: number,
  make: (i: number) => { body: string; headers: Record<string, string> },
): Promise<LoopResult> {
  const latencies: number[] = [];
  let next = 0;
  let failures = 0;
  const started = performance.now();
  const lane = async () => {
    while (next < total) {
      const i = next++;
      const { body, headers } = make(i);
      const t0 = performance.now();
      const res = await request(url, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', ...headers },
        dispatcher,
      });
      await res.body.dump();
      if (res.statusCode >= 300) failures++;
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  const seconds = (performance.now() - started) / 1_000;
  return {
    perSecond: total / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    failures,
  };
}

/**
 * Formats a number with thousands separators and no decimals.
 *
 * @example
 * fmt(12345.6); // '12,346'
 */
export function fmt(value: number, digits = 0): string {
  return value.toLocaleString('en-US', {
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  });
}
