/**
 * The write-path benchmark: an authenticated, idempotent
 * `POST /api/v1/appointments` on the reference server against same-work
 * baselines measured in the same run (./write-baselines.ts, on the server's
 * own migrated schema). Server, load generator and PostgreSQL are separate
 * processes; cases are interleaved (A B C, A B C, …) over ROUNDS rounds.
 * Reports requests/s, the ratio to the goal's baseline, p50/p99 and CPU µs
 * per request of the Node server (/proc/<pid>/stat), of the PostgreSQL
 * backends serving it (/proc, found through pg_stat_activity by
 * application_name) and of the load generator, plus round trips per
 * request. CPU per request is the figure to trust on a shared machine.
 *
 *   pnpm --filter @clinicbridge/reference-server bench:write
 *   (PHASE_SECONDS=5 ROUNDS=3 CONCURRENCY=10; PostgreSQL from BENCH_DATABASE_URL,
 *    else TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test)
 *
 * Goals (issue 16), printed as met or MISS (a miss is not a failure):
 *  1. project ≥ 0.8 × one-statement baseline and above the statements baseline (PostgreSQL, c=10)
 *  4. project on PGlite ≥ 0.6 × PGlite's own in-process ceiling (same statements)
 *  5. p50 at concurrency 1 ≤ 1.5 × the one-statement baseline's
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { withKeyRing } from '../src/crypto/keys.ts';
import { openDatabase } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { serverMigrations } from '../src/features.ts';
import { createPatient } from '../src/patients/service.ts';
import { createTenant } from '../src/tenants/service.ts';
import { testKeyRing } from '../test/helpers/pii-keys.ts';

const PHASE_SECONDS = Number(process.env.PHASE_SECONDS ?? 5);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 10);
const here = new URL('.', import.meta.url).pathname;
const TICK_MICROS = 1_000_000 / 100; // USER_HZ is 100 on Linux

interface Totals {
  requests: number;
  errors: number;
  elapsed: number;
  latencies: number[];
  nodeMicros: number;
  pgMicros: number;
  loadMicros: number;
  roundTrips: number;
}

interface Case {
  name: string;
  server: ChildProcess;
  url: string;
  kind: string;
  concurrency: number;
  totals: Totals;
}

function cpuMicros(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MICROS;
  } catch {
    return 0; // the backend exited
  }
}

function request<T>(child: ChildProcess, message: unknown, key: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) =>
      reject(new Error(`a bench process exited (${code}) before its "${key}" report`));
    const onMessage = (reply: Record<string, unknown>) => {
      if (reply[key]) {
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(reply as T);
      }
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
    if (message !== null) child.send(message as object);
  });
}

async function startServer(kind: string, target: string, schema = '') {
  // BENCH_CPU_PROF=<dir> writes a V8 CPU profile of each server there (node --cpu-prof).
  const profile = process.env.BENCH_CPU_PROF;
  const child = fork(join('write-server.ts'), [kind, target, schema], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    ...(profile
      ? { execArgv: [...process.execArgv, '--cpu-prof', `--cpu-prof-dir=${profile}`] }
      : {}),
  });
  const ready = await request<{ url: string; apiKey?: string; patientId?: string }>(
    child,
    null,
    'ready',
  );
  return { child, ...ready };
}

function join(file: string): string {
  return `${here}${file}`;
}

async function backendPids(admin: pg.Client | null, kind: string): Promise<number[]> {
  if (!admin) return [];
  const { rows } = await admin.query<{ pid: number }>(
    'select pid from pg_stat_activity where application_name = $1',
    [`cb_bench_${kind}`],
  );
  return rows.map((r) => r.pid);
}

async function measure(c: Case, admin: pg.Client | null, body: string, apiKey: string) {
  const load = fork(join('write-load.ts'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = once(load, 'exit');
  const measuring = request(load, null, 'measuring');
  const measured = request(load, null, 'measured');
  const done = request<{
    requests: number;
    errors: number;
    elapsed: number;
    latencies: number[];
    cpuMicros: number;
    firstError?: string;
  }>(load, null, 'done');
  load.send({
    url: c.url,
    concurrency: c.concurrency,
    seconds: PHASE_SECONDS,
    apiKey,
    body,
    tag: `${c.kind}-${c.concurrency}-${Date.now()}`,
  });
  await measuring;
  const pids = await backendPids(admin, c.kind);
  const trips0 = await request<{ roundTrips: number }>(c.server, { stats: true }, 'stats');
  const node0 = cpuMicros(c.server.pid ?? 0);
  const pg0 = pids.map(cpuMicros);
  await measured;
  const node1 = cpuMicros(c.server.pid ?? 0);
  const pg1 = pids.map(cpuMicros);
  const trips1 = await request<{ roundTrips: number }>(c.server, { stats: true }, 'stats');
  const result = await done;
  await exited;
  const t = c.totals;
  if (result.firstError && t.errors === 0) console.log(`\n${c.name}: ${result.firstError}`);
  t.requests += result.requests;
  t.errors += result.errors;
  t.elapsed += result.elapsed;
  for (const l of result.latencies) t.latencies.push(l);
  t.nodeMicros += node1 - node0;
  // A backend that exited meanwhile (the pool closes idle ones) reads 0: it was idle, count nothing.
  t.pgMicros += pg1.reduce((sum, v, i) => sum + Math.max(0, v - (pg0[i] ?? v)), 0);
  t.loadMicros += result.cpuMicros;
  // Round trips counted between the samples cover slightly more than the
  // measured requests (in-flight ones at either edge): fine for a per-request figure.
  t.roundTrips += trips1.roundTrips - trips0.roundTrips;
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

function emptyTotals(): Totals {
  return {
    requests: 0,
    errors: 0,
    elapsed: 0,
    latencies: [],
    nodeMicros: 0,
    pgMicros: 0,
    loadMicros: 0,
    roundTrips: 0,
  };
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

function summary(c: Case) {
  const t = c.totals;
  const sorted = [...t.latencies].sort((a, b) => a - b);
  const per = (micros: number) => (t.requests > 0 ? micros / t.requests : 0);
  return {
    perSecond: t.elapsed > 0 ? t.requests / t.elapsed : 0,
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    node: per(t.nodeMicros),
    pg: per(t.pgMicros),
    load: per(t.loadMicros),
    trips: per(t.roundTrips),
  };
}

async function main(): Promise<void> {
  console.log(
    `write bench: ${CONCURRENCY} connections, ${ROUNDS} rounds × ${PHASE_SECONDS} s per case (Node ${process.version}); loadavg ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
  );
  const cases: Case[] = [];
  const add = (
    name: string,
    kind: string,
    server: { child: ChildProcess; url: string },
    concurrency = CONCURRENCY,
  ) =>
    cases.push({
      name,
      kind,
      server: server.child,
      url: server.url,
      concurrency,
      totals: emptyTotals(),
    });
  let apiKey = '';
  let patientId = '';
  let admin: pg.Client | null = null;
  let schema = '';
  const url = await postgresUrl();
  if (url) {
    schema = `bench_write_${process.pid}`;
    admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    const database = withKeyRing(
      await openDatabase({ url, searchPath: schema, poolSize: 2 }),
      testKeyRing,
    );
    await migrateToLatest(database.db, serverMigrations);
    const tenant = await createTenant(database.db, { name: 'Bench clinic' });
    const patient = await database.db.transaction().execute((trx) =>
      createPatient(
        trx,
        {
          tenantId: tenant.tenantId,
          actor: { type: 'operator', id: 'bench' },
          requestId: null,
          now: new Date(),
        },
        { givenName: 'Bench', familyName: 'Patient' },
      ),
    );
    await database.close();
    apiKey = tenant.apiKey;
    patientId = patient.id;
    add('bare Hono route (echo)', 'bare', await startServer('bare', url, schema));
    add('the project (PostgreSQL)', 'project', await startServer('project', url, schema));
    add(
      'same statements, hand-written, pg',
      'statements',
      await startServer('statements', url, schema),
    );
    const one = await startServer('one-statement', url, schema);
    add('one prepared data-modifying CTE', 'one-statement', one);
  } else {
    console.log('note: no PostgreSQL answered; PostgreSQL cases skipped');
  }
  const pglite = await startServer('project', 'pglite');
  const ceilingServer = await startServer('pglite-ceiling', 'pglite');
  const bodyFor = (patient: string) => ({
    patientId: patient,
    service: 'Consultation',
    startsAt: '2026-12-01T09:00:00Z',
    endsAt: '2026-12-01T09:30:00Z',
  });
  const pgliteCase: Case = {
    name: 'the project (PGlite, HTTP)',
    kind: 'pglite',
    server: pglite.child,
    url: pglite.url,
    concurrency: CONCURRENCY,
    totals: emptyTotals(),
  };
  const ceiling: Totals = emptyTotals();
  const c1 = cases
    .filter((c) => c.kind === 'project' || c.kind === 'one-statement')
    .map((c) => ({
      ...c,
      name: `${c.name}, concurrency 1`,
      concurrency: 1,
      totals: emptyTotals(),
    }));

  for (let round = 1; round <= ROUNDS; round++) {
    process.stdout.write(`round ${round}:`);
    for (const c of [...cases, ...c1]) {
      await measure(c, admin, JSON.stringify(bodyFor(patientId)), apiKey);
      process.stdout.write(` ${c.kind}${c.concurrency === 1 ? '@1' : ''}`);
    }
    await measure(
      pgliteCase,
      null,
      JSON.stringify(bodyFor(pglite.patientId ?? '')),
      pglite.apiKey ?? '',
    );
    const cpu0 = cpuMicros(ceilingServer.child.pid ?? 0);
    const result = await request<{ writes: number; seconds: number }>(
      ceilingServer.child,
      { ceiling: PHASE_SECONDS, body: bodyFor(ceilingServer.patientId ?? '') },
      'ceiling',
    );
    ceiling.requests += result.writes;
    ceiling.elapsed += result.seconds;
    ceiling.nodeMicros += cpuMicros(ceilingServer.child.pid ?? 0) - cpu0;
    console.log(' pglite pglite-ceiling');
  }

  console.log('');
  console.log(
    '| case | req/s | p50 ms | p99 ms | Node µs/req | PostgreSQL µs/req | load gen µs/req | round trips/req | non-201 |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  const row = (c: Case) => {
    const s = summary(c);
    console.log(
      `| ${c.name} | ${Math.round(s.perSecond).toLocaleString('en')} | ${s.p50.toFixed(2)} | ${s.p99.toFixed(2)} | ${Math.round(s.node)} | ${c.kind === 'pglite' ? '(in Node)' : Math.round(s.pg)} | ${Math.round(s.load)} | ${c.kind === 'pglite' ? '–' : s.trips.toFixed(1)} | ${c.totals.errors} |`,
    );
    return s;
  };
  const byKind = new Map(cases.map((c) => [c.kind, row(c)]));
  const c1Rows = c1.map(row);
  const pgliteRow = row(pgliteCase);
  const ceilingPerSecond = ceiling.requests / ceiling.elapsed;
  console.log(
    `| PGlite in-process ceiling (same statements, no HTTP) | ${Math.round(ceilingPerSecond).toLocaleString('en')} | – | – | ${Math.round(ceiling.nodeMicros / ceiling.requests)} | (in Node) | – | 11 | 0 |`,
  );

  console.log('');
  const goal = (label: string, value: number, target: number, met: boolean) =>
    console.log(`${met ? 'met ' : 'MISS'} ${label}: ${value.toFixed(2)} (goal ${target})`);
  const project = byKind.get('project');
  const one = byKind.get('one-statement');
  const statements = byKind.get('statements');
  if (project && one && statements) {
    const ratio = project.perSecond / one.perSecond;
    goal('1. PostgreSQL write req/s vs one-statement baseline', ratio, 0.8, ratio >= 0.8);
    const over = project.perSecond / statements.perSecond;
    goal('1. PostgreSQL write req/s vs hand-written statements (pg)', over, 1, over > 1);
    const cpu = (one.node + one.pg) / (project.node + project.pg);
    console.log(
      `     CPU per request (Node + PostgreSQL) of one-statement / project: ${cpu.toFixed(2)}`,
    );
  }
  const ratio4 = pgliteRow.perSecond / ceilingPerSecond;
  goal('4. PGlite write req/s vs PGlite in-process ceiling', ratio4, 0.6, ratio4 >= 0.6);
  const [p1, o1] = c1Rows;
  if (p1 && o1) {
    const ratio5 = p1.p50 / o1.p50;
    goal(
      '5. p50 at concurrency 1 vs one-statement baseline (lower is better)',
      ratio5,
      1.5,
      ratio5 <= 1.5,
    );
  }

  for (const c of [...cases, pgliteCase]) c.server.disconnect();
  ceilingServer.child.disconnect();
  if (admin && schema) {
    await new Promise((r) => setTimeout(r, 500));
    await admin.query(`drop schema ${schema} cascade`).catch(() => {});
    await admin.end();
  }
}

await main();
