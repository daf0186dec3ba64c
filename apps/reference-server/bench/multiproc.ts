/**
 * Benchmark: authenticated idempotent writes (`POST /api/v1/appointments`,
 * each with its own Idempotency-Key) against 1, 2 and 3 server processes on
 * one PostgreSQL, the load generator in a process of its own
 * (`multiproc-load.ts`, sending to the processes in turn). Each case gets a
 * fresh schema and fresh processes (API only: `WEBHOOK_DISPATCHER=false`).
 * It reports requests per second, the scaling against one process, and CPU
 * time per request from /proc: each server process, the PostgreSQL backends
 * the servers opened (found by their application_name), and the load
 * generator; and, before the load, the CPU each idle process uses per second
 * (its polls and timers), which a light load spreads over few requests.
 * Goals: 2 processes ≥ 1.6× the writes of 1 (MISS expected on a 2-core
 * machine, where the load generator and PostgreSQL take the same cores: the
 * processes cannot add CPU that is not there); and the CPU per request of
 * servers and PostgreSQL together at 2 and 3 processes within 25% of one
 * process (running more processes adds no work per request). A miss prints
 * MISS. Needs PostgreSQL (BENCH_DATABASE_URL, TEST_DATABASE_URL or
 * 127.0.0.1:5432) and Linux /proc; skipped, saying why, without them.
 * Run: `pnpm --filter @clinicbridge/reference-server bench:multiproc`
 * (BENCH_SECONDS, BENCH_CONCURRENCY to change the phase and the load).
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { openDatabase } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { serverMigrations } from '../src/features.ts';
import { createTenant } from '../src/tenants/service.ts';
import { type ServerProcess, spawnServerProcess } from '../test/scaling/harness.ts';
import { fmt, postgresAnswers, postgresUrl } from './delivery-lib.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 12);
const SCALING_GOAL = 1.6;
const CPU_GOAL = 1.25;
const appDir = fileURLToPath(new URL('..', import.meta.url));
const ticksPerSecond = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU microseconds (user + system) a process has used so far; 0 once it is gone. */
function cpuMicros(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / ticksPerSecond;
  } catch {
    return 0;
  }
}

async function backendPids(appName: string): Promise<number[]> {
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>(
      'select pid from pg_stat_activity where application_name = $1',
      [appName],
    );
    return rows.map((r) => r.pid);
  } finally {
    await client.end();
  }
}

interface Snapshot {
  servers: number[];
  backends: Map<number, number>;
  generator: number;
}

async function snapshot(servers: number[], generator: number, appName: string): Promise<Snapshot> {
  // The processes' CPU first, at the moment asked; then the backends (a query away).
  const taken = { servers: servers.map(cpuMicros), generator: cpuMicros(generator) };
  const backends = new Map<number, number>();
  for (const pid of await backendPids(appName)) backends.set(pid, cpuMicros(pid));
  return { ...taken, backends };
}

interface CaseResult {
  processes: number;
  perSecond: number;
  errors: number;
  p50: number;
  p99: number;
  serverMicros: number[];
  postgresMicros: number;
  generatorMicros: number;
  /** CPU milliseconds per second each server process used with no load. */
  idleMsPerSecond: number[];
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function measure(processes: number): Promise<CaseResult> {
  const schema = `bench_mp_${randomBytes(5).toString('hex')}`;
  const appName = `cbbench_${schema}`;
  await admin(`create schema ${schema}`);
  const servers: ServerProcess[] = [];
  try {
    const database = await openDatabase({ url: postgresUrl, searchPath: schema, poolSize: 2 });
    await migrateToLatest(database.db, serverMigrations);
    const tenant = await createTenant(database.db, { name: 'Bench clinic' });
    await database.close();
    for (let i = 0; i < processes; i++) {
      servers.push(
        spawnServerProcess({
          DATABASE_URL: postgresUrl,
          TEST_SCHEMA: schema,
          TEST_POOL_SIZE: '10',
          PGAPPNAME: appName,
          WEBHOOK_DISPATCHER: 'false',
          RATE_LIMIT_HIGH_PER_MINUTE: '100000000',
          LOG_LEVEL: 'silent',
        }),
      );
    }
    const ready = await Promise.all(servers.map((s) => s.ready));
    const patient = await fetch(`${ready[0]?.url}/api/v1/patients`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ givenName: 'Bench', familyName: 'Patient' }),
    });
    const { id: patientId } = (await patient.json()) as { id: string };
    // What the processes burn with no requests (polls, LISTEN, timers), over 3 s.
    const idleFrom = ready.map((r) => cpuMicros(r.pid));
    const idleStarted = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const idleSeconds = (performance.now() - idleStarted) / 1_000;
    const idleMsPerSecond = ready.map(
      (r, i) => (cpuMicros(r.pid) - (idleFrom[i] ?? 0)) / 1_000 / idleSeconds,
    );
    const generator = spawn(
      process.execPath,
      ['--import', './test/delivery/source-hooks.ts', 'bench/multiproc-load.ts'],
      {
        cwd: appDir,
        env: {
          ...process.env,
          BENCH_URLS: ready.map((r) => r.url).join(','),
          BENCH_API_KEY: tenant.apiKey,
          BENCH_PATIENT_ID: patientId,
          BENCH_CONCURRENCY: String(CONCURRENCY),
          BENCH_SECONDS: String(SECONDS),
        },
        // It waits for its stdin to close before exiting, so its CPU can still be read.
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    const pids = ready.map((r) => r.pid);
    const genPid = generator.pid ?? 0;
    let before: Promise<Snapshot> | undefined;
    const outcome = await new Promise<{
      result: { requests: number; errors: number; seconds: number; p50: number; p99: number };
      after: Snapshot;
    }>((resolve, reject) => {
      let out = '';
      generator.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (!before && out.includes('measuring\n')) before = snapshot(pids, genPid, appName);
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (line && before) {
          const result = JSON.parse(line);
          snapshot(pids, genPid, appName).then((after) => {
            generator.stdin.end();
            resolve({ result, after });
          }, reject);
        }
      });
      generator.once('exit', (code) => reject(new Error(`load generator exited (${code})`)));
    });
    const start = (await before) as Snapshot;
    const { result, after } = outcome;
    const postgresMicros = [...after.backends].reduce(
      (sum, [pid, micros]) => sum + micros - (start.backends.get(pid) ?? 0),
      0,
    );
    return {
      processes,
      perSecond: result.requests / result.seconds,
      errors: result.errors,
      p50: result.p50,
      p99: result.p99,
      serverMicros: after.servers.map((m, i) => (m - (start.servers[i] ?? 0)) / result.requests),
      postgresMicros: postgresMicros / result.requests,
      generatorMicros: (after.generator - start.generator) / result.requests,
      idleMsPerSecond,
    };
  } finally {
    for (const server of servers) server.child.kill('SIGTERM');
    await Promise.all(servers.map((s) => s.exited));
    await admin(`drop schema ${schema} cascade`);
  }
}

async function main(): Promise<void> {
  console.log(
    `Writes with 1, 2 and 3 server processes on one PostgreSQL: POST /api/v1/appointments, ${CONCURRENCY} in flight from a separate load generator, ${SECONDS} s per case, ${availableParallelism()} cores, Node ${process.version}`,
  );
  if (!existsSync('/proc/self/stat')) {
    console.log('skipped: no /proc here to read CPU time from (Linux only)');
    return;
  }
  if (!(await postgresAnswers())) {
    console.log(
      `skipped: PostgreSQL does not answer at ${postgresUrl.replace(/\/\/[^@]*@/, '//')}`,
    );
    return;
  }
  const results: CaseResult[] = [];
  for (const processes of [1, 2, 3]) results.push(await measure(processes));
  const base = results[0] as CaseResult;
  const total = (r: CaseResult) => r.serverMicros.reduce((a, b) => a + b, 0) + r.postgresMicros;
  console.log('');
  console.log(
    '| processes | writes/s | vs 1 process | p50 ms | p99 ms | CPU µs/request per server process | servers | PostgreSQL backends | servers + PostgreSQL | load generator | idle CPU ms/s per process | errors |',
  );
  console.log(
    '| ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | --- | ---: |',
  );
  for (const r of results) {
    const servers = r.serverMicros.reduce((a, b) => a + b, 0);
    console.log(
      `| ${r.processes} | ${fmt(r.perSecond)} | ${(r.perSecond / base.perSecond).toFixed(2)}× | ${fmt(r.p50, 1)} | ${fmt(r.p99, 1)} | ${r.serverMicros.map((m) => fmt(m)).join(' / ')} | ${fmt(servers)} | ${fmt(r.postgresMicros)} | ${fmt(total(r))} | ${fmt(r.generatorMicros)} | ${r.idleMsPerSecond.map((m) => fmt(m, 1)).join(' / ')} | ${r.errors} |`,
    );
  }
  console.log('');
  const two = results[1] as CaseResult;
  const scaling = two.perSecond / base.perSecond;
  console.log(
    `scaling 1 → 2 processes: ${scaling.toFixed(2)}× (goal ≥ ${SCALING_GOAL}×; not reachable when the load generator and PostgreSQL share the ${availableParallelism()} cores)${scaling >= SCALING_GOAL ? ' ok' : ' MISS'}`,
  );
  for (const r of results.slice(1)) {
    const ratio = total(r) / total(base);
    console.log(
      `CPU per request, servers + PostgreSQL, ${r.processes} processes vs 1: ${ratio.toFixed(2)}× (goal ≤ ${CPU_GOAL}×)${ratio <= CPU_GOAL ? ' ok' : ' MISS'}`,
    );
  }
}

await main();
process.exit(0);
