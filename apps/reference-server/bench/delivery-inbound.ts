/**
 * Benchmark: inbound provider webhooks per second and p99 latency of a
 * verified (Standard Webhooks), deduplicated, durably stored webhook on
 * `POST /webhooks/visa`, against a bare Hono route served the same way, in
 * the same run, over real HTTP on 127.0.0.1. Processing is not included
 * (it happens after the answer, on the bus). On PostgreSQL a hand-written
 * route doing the same work with group commit (verify, seal the body, one
 * multi-row INSERT … ON CONFLICT DO NOTHING for every webhook that arrived
 * while the previous one committed) is the same-work baseline of goal 2
 * (issue 16: ≥ 0.9 of it and ≥ 0.3 of the bare route; MISS when missed).
 * A second hand-written route also gives the server's answer: its security
 * headers and request id, the request metrics, and the body checks (JSON
 * object, no NUL, its type), so the project is also compared with the same
 * work and the same answer.
 * Every case is warmed up once, then the cases run interleaved round by
 * round (BENCH_ROUNDS, default 3, of BENCH_REQUESTS each). The servers run
 * in this process and the load in one of its own (bench/inbound-load.ts), so
 * the CPU per request is reported apart for the server, the PostgreSQL
 * backends and the load generator.
 * Run: `pnpm --filter @clinicbridge/reference-server bench:delivery`, or
 * this part alone: `node --import ./test/delivery/source-hooks.ts bench/delivery-inbound.ts`.
 */

import { fork } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { fileURLToPath } from 'node:url';
import { newId } from '@clinicbridge/sdk/contract';
import { generateSecret, getScheme } from '@clinicbridge/webhooks';
import { Hono } from 'hono';
import type pg from 'pg';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config/index.ts';
import { withKeyRing } from '../src/crypto/keys.ts';
import type { Database } from '../src/db/database.ts';
import { deliveryConfig } from '../src/delivery/config.ts';
import { resourceFeatures } from '../src/features.ts';
import { inboundConfig } from '../src/inbound/config.ts';
import { inboundFeature } from '../src/inbound/feature.ts';
import { sealRawBody } from '../src/inbound/raw-body.ts';
import { createLogger } from '../src/observability/logger.ts';
import { createMetrics } from '../src/observability/metrics.ts';
import { testKeyRing } from '../test/helpers/pii-keys.ts';
import {
  backendCpuMicros,
  backendCpuSince,
  fmt,
  type LoopResult,
  openBenchDatabase,
  percentile,
  postgresAnswers,
  serveOnLoopback,
} from './delivery-lib.ts';
import type { InboundLoadJob, InboundLoadResult } from './inbound-load.ts';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARM_UP = Math.ceil(REQUESTS / 4);
/** BENCH_PROFILE_INBOUND=FILE: a CPU profile of the project's first PostgreSQL round, written to FILE. */
const PROFILE_FILE = process.env.BENCH_PROFILE_INBOUND;
const profiler = PROFILE_FILE ? new Session() : undefined;
profiler?.connect();
await profiler?.post('Profiler.enable');
let profile: object | undefined;
const CONCURRENCY = 20;
const secret = generateSecret();
const body = JSON.stringify({
  type: 'visa.granted',
  tenantId: 'ten_benchinboundtenant0000001',
  data: { caseId: 'case-1', country: 'TR', status: 'granted' },
});

/** One pass of a case, with the CPU it took per request. */
interface Measured extends LoopResult {
  /** The server (this process), µs per request. */
  readonly nodeMicros: number;
  /** The load generator's process, µs per request. */
  readonly loadMicros: number;
  /** The bench database's PostgreSQL backends, µs per request (0 when not on PostgreSQL). */
  readonly pgMicros: number;
}

// The load generator runs in a process of its own, so each case's CPU is its server's.
const load = fork(fileURLToPath(new URL('./inbound-load.ts', import.meta.url)), [], {
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
let passes = 0;

function loadPass(job: InboundLoadJob): Promise<InboundLoadResult> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) =>
      reject(new Error(`the load generator exited (code ${code}) during a pass`));
    load.once('exit', onExit);
    load.once('message', (result: InboundLoadResult) => {
      load.off('exit', onExit);
      resolve(result);
    });
    load.send(job);
  });
}

async function measure(
  app: { fetch: (request: Request) => Response | Promise<Response> },
  path: string,
  signed: boolean,
  total: number,
  onPostgres: boolean,
): Promise<Measured> {
  const served = await serveOnLoopback(app);
  const url = `${served.url}${path}`;
  const pgBefore = onPostgres ? await backendCpuMicros() : new Map<number, number>();
  const cpu = process.cpuUsage();
  const result = await loadPass({
    url,
    total,
    concurrency: CONCURRENCY,
    secret: signed ? secret : null,
    body,
    tag: `${process.pid}_${passes++}`,
  });
  const used = process.cpuUsage(cpu);
  const pgMicros = onPostgres ? backendCpuSince(pgBefore, await backendCpuMicros()) : 0;
  await served.close();
  return {
    perSecond: result.perSecond,
    p50: result.p50,
    p99: result.p99,
    failures: result.failures,
    nodeMicros: (used.user + used.system) / total,
    pgMicros: pgMicros / total,
    loadMicros: result.cpuMicros / total,
  };
}

function line(name: string, r: ReturnType<typeof overall>, base?: { perSecond: number }) {
  const ratio = base ? `${fmt((r.perSecond / base.perSecond) * 100)}% of baseline` : '(baseline)';
  const pg = r.pgMicros > 0 ? `   PostgreSQL ${fmt(r.pgMicros).padStart(4)} µs` : '';
  console.log(
    `${name.padEnd(42)} ${fmt(r.perSecond).padStart(7)} req/s   p50 ${fmt(r.p50, 1)} ms   p99 ${fmt(r.p99, 1)} ms   CPU/req server ${fmt(r.nodeMicros).padStart(4)} µs${pg}   load generator ${fmt(r.loadMicros).padStart(3)} µs   ${ratio}${r.failures ? `   ${r.failures} non-2xx` : ''}`,
  );
}

/**
 * What every answer of the server carries besides the route's own work: its
 * response headers (security headers, `X-Request-Id`), the request metrics,
 * and the checks of a webhook body (JSON, an object, no NUL character, its
 * type). The headers are read from one answer of the project's app, so the
 * hand-written route sends the same ones.
 */
interface SameAnswer {
  readonly headers: readonly (readonly [string, string])[];
}

/** The response headers of one answer of `app` that do not change from answer to answer. */
async function fixedHeadersOf(app: {
  fetch: (request: Request) => Response | Promise<Response>;
}): Promise<SameAnswer['headers']> {
  const res = await app.fetch(new Request('http://127.0.0.1/healthz'));
  await res.arrayBuffer();
  const perAnswer = new Set(['content-type', 'content-length', 'x-request-id', 'date']);
  return [...res.headers].filter(([name]) => !perAnswer.has(name));
}

/**
 * The same work by hand, with group commit: the same-work baseline of goal 2.
 * With `answer`, it also does what every answer of the server does ({@link SameAnswer}).
 */
function handWrittenGroupCommit(database: Database & { pool: pg.Pool }, answer?: SameAnswer): Hono {
  interface Waiting {
    id: string;
    eventId: string;
    eventType: string;
    body: { raw_body: string; raw_body_kid: string };
    resolve: (duplicate: boolean) => void;
    reject: (error: unknown) => void;
  }
  let waiting: Waiting[] = [];
  let running = false;
  const drain = async () => {
    while (waiting.length > 0) {
      const batch = waiting.slice(0, 100);
      waiting = waiting.slice(batch.length);
      const values: unknown[] = [];
      const rows = batch.map((w) => {
        const at = values.length;
        values.push(w.id, w.eventId, w.eventType, w.body.raw_body, w.body.raw_body_kid);
        return `($${at + 1}, 'visa', $${at + 2}, $${at + 3}, 'received', $${at + 4}, $${at + 5}, 0, now(), now())`;
      });
      try {
        const { rows: inserted } = await database.pool.query<{ id: string }>(
          `insert into inbound_webhooks (id, provider, provider_event_id, event_type, status, raw_body, raw_body_kid, attempts, next_attempt_at, received_at)
           values ${rows.join(', ')} on conflict (provider, provider_event_id) do nothing returning id`,
          values,
        );
        const ids = new Set(inserted.map((r) => r.id));
        for (const w of batch) w.resolve(!ids.has(w.id));
      } catch (error) {
        for (const w of batch) w.reject(error);
      }
    }
    running = false;
  };
  const metrics = answer ? createMetrics() : undefined;
  const app = new Hono();
  const scheme = getScheme('standard');
  app.post('/webhooks/visa', async (c) => {
    const started = performance.now();
    if (answer) {
      c.header('X-Request-Id', `req_${crypto.randomUUID()}`);
      for (const [name, value] of answer.headers) c.header(name, value);
    }
    const raw = new Uint8Array(await c.req.arrayBuffer());
    await scheme.verify(raw, c.req.raw.headers, [secret], { parse: false });
    const text = Buffer.from(raw).toString('utf8');
    let eventType = 'visa.granted';
    if (answer) {
      const payload = JSON.parse(text) as { type?: unknown } | null;
      if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
        return c.json({ error: 'not an object' }, 400);
      }
      if (raw.includes(0) || text.includes('\\u0000')) return c.json({ error: 'NUL' }, 400);
      eventType = typeof payload.type === 'string' ? payload.type.slice(0, 100) : '';
    }
    const id = newId('inb');
    const duplicate = await new Promise<boolean>((resolve, reject) => {
      waiting.push({
        id,
        eventId: c.req.header('webhook-id') ?? '',
        eventType,
        body: sealRawBody(database.db, id, text),
        resolve,
        reject,
      });
      if (!running) {
        running = true;
        setImmediate(() => void drain());
      }
    });
    const status = duplicate ? 200 : 202;
    if (metrics) {
      const labels = { method: 'POST', route: '/webhooks/:provider', status: String(status) };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, (performance.now() - started) / 1000);
    }
    return c.json({ received: true, id, duplicate }, status);
  });
  return app;
}

const bare = new Hono();
bare.post('/bare', async (c) => {
  await c.req.arrayBuffer();
  return c.json({ received: true }, 202);
});

interface Case {
  readonly name: string;
  readonly app: { fetch: (request: Request) => Response | Promise<Response> };
  readonly path: string;
  readonly signed: boolean;
  /** Whether PostgreSQL backends of the bench database do its work. */
  readonly postgres: boolean;
  readonly rounds: Measured[];
}

const cases: Case[] = [
  { name: 'bare Hono route', app: bare, path: '/bare', signed: false, postgres: false, rounds: [] },
];
const databases: Database[] = [];
const postgres = await postgresAnswers();
for (const kind of postgres ? (['pglite', 'postgres'] as const) : (['pglite'] as const)) {
  // Webhook bodies are stored encrypted: the bench runs with the tests' keys.
  const database = withKeyRing(await openBenchDatabase(kind), testKeyRing);
  databases.push(database);
  const config = {
    ...loadConfig({ LOG_LEVEL: 'silent' }),
    ...deliveryConfig.parse({ WEBHOOK_DISPATCHER: 'false' }),
    ...inboundConfig.parse({ INBOUND_VISA_SECRET: secret }),
  };
  const app = createApp({
    database,
    config,
    logger: createLogger('silent'),
    features: [...resourceFeatures, inboundFeature({ config })],
  });
  const onPostgres = kind === 'postgres';
  cases.push({
    name: `verified + deduplicated + stored, ${kind}`,
    app,
    path: '/webhooks/visa',
    signed: true,
    postgres: onPostgres,
    rounds: [],
  });
  if (database.pool) {
    const withPool = database as Database & { pool: pg.Pool };
    cases.push({
      name: `hand-written, group commit, ${kind}`,
      app: handWrittenGroupCommit(withPool),
      path: '/webhooks/visa',
      signed: true,
      postgres: onPostgres,
      rounds: [],
    });
    cases.push({
      name: `hand-written, with the same answer, ${kind}`,
      app: handWrittenGroupCommit(withPool, { headers: await fixedHeadersOf(app) }),
      path: '/webhooks/visa',
      signed: true,
      postgres: onPostgres,
      rounds: [],
    });
  }
}

// One warm-up pass of every case (not counted), then the cases interleaved
// round by round (A B C D A B C D …), so neither side gets the warmer JIT or
// the quieter minute.
for (const c of cases) await measure(c.app, c.path, c.signed, WARM_UP, false);
for (let round = 0; round < ROUNDS; round++) {
  for (const c of cases) {
    const profiled =
      round === 0 &&
      Boolean(PROFILE_FILE) &&
      c.name === 'verified + deduplicated + stored, postgres';
    if (profiled) await profiler?.post('Profiler.start');
    c.rounds.push(await measure(c.app, c.path, c.signed, REQUESTS, c.postgres));
    if (profiled) profile = (await profiler?.post('Profiler.stop'))?.profile;
  }
}
for (const database of databases) await database.close();

if (PROFILE_FILE && profile) writeFileSync(PROFILE_FILE, JSON.stringify(profile));

/** Every round of a case together: requests over the time they took, median p50/p99, CPU per request. */
function overall(rounds: readonly Measured[]) {
  const seconds = rounds.reduce((sum, r) => sum + REQUESTS / r.perSecond, 0);
  const median = (pick: (r: Measured) => number) => percentile(rounds.map(pick), 50);
  return {
    perSecond: (REQUESTS * rounds.length) / seconds,
    p50: median((r) => r.p50),
    p99: median((r) => r.p99),
    failures: rounds.reduce((sum, r) => sum + r.failures, 0),
    nodeMicros: median((r) => r.nodeMicros),
    loadMicros: median((r) => r.loadMicros),
    pgMicros: median((r) => r.pgMicros),
  };
}

const [bareCase] = cases as [Case];
const baseline = overall(bareCase.rounds);
console.log(
  `Inbound webhooks, ${fmt(REQUESTS)} requests × ${ROUNDS} interleaved rounds, concurrency ${CONCURRENCY}, Node ${process.version}, loadavg ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
);
console.log(
  "(CPU per request, median of the rounds: the server process, the bench database's PostgreSQL backends from /proc, and the load generator's own process)",
);
for (const c of cases) line(c.name, overall(c.rounds), c === bareCase ? undefined : baseline);
if (!postgres)
  console.log('PostgreSQL does not answer: skipping the PostgreSQL run (set BENCH_DATABASE_URL).');

/** `of`'s rate over `to`'s, round by round. */
function ratiosByRound(of: Case, to: Case): string {
  return of.rounds
    .map((r, i) => (r.perSecond / (to.rounds[i] as Measured).perSecond).toFixed(2))
    .join(', ');
}

const project = cases.find((c) => c.name === 'verified + deduplicated + stored, postgres');
const handWritten = cases.find((c) => c.name === 'hand-written, group commit, postgres');
if (project && handWritten) {
  const ofHandWritten = overall(project.rounds).perSecond / overall(handWritten.rounds).perSecond;
  const ofBare = overall(project.rounds).perSecond / baseline.perSecond;
  console.log(
    `${ofHandWritten >= 0.9 ? 'met ' : 'MISS'} 2. inbound on PostgreSQL vs hand-written group commit: ${ofHandWritten.toFixed(2)} (goal 0.9; by round ${ratiosByRound(project, handWritten)})`,
  );
  console.log(
    `${ofBare >= 0.3 ? 'met ' : 'MISS'} 2. inbound on PostgreSQL vs bare Hono: ${ofBare.toFixed(2)} (goal 0.3; the hand-written route: ${(overall(handWritten.rounds).perSecond / baseline.perSecond).toFixed(2)})`,
  );
}
const sameAnswer = cases.find((c) => c.name === 'hand-written, with the same answer, postgres');
if (project && sameAnswer) {
  const mine = overall(project.rounds);
  const theirs = overall(sameAnswer.rounds);
  console.log(
    `     2. the same, against the hand-written route with the same answer (headers, metrics, body checks): ${(mine.perSecond / theirs.perSecond).toFixed(2)} (by round ${ratiosByRound(project, sameAnswer)}); server CPU per webhook ${(mine.nodeMicros / theirs.nodeMicros).toFixed(2)}× its`,
  );
}
if (sameAnswer && handWritten) {
  // Goal 2's first line for a route that does the same work by hand and gives the platform's answer.
  console.log(
    `     2. the hand-written route with the same answer, against the hand-written route: ${(overall(sameAnswer.rounds).perSecond / overall(handWritten.rounds).perSecond).toFixed(2)} (by round ${ratiosByRound(sameAnswer, handWritten)})`,
  );
}
load.disconnect();
