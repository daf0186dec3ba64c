/**
 * Benchmark: deliveries per second from a recorded event to a local
 * receiver's 2xx, and p50/p99 of event-to-delivery latency, on PGlite and
 * PostgreSQL — against a bare loop of undici POSTs to the same receiver in
 * the same run (the ceiling the bus could reach if it cost nothing).
 * Run: `pnpm --filter @clinicbridge/reference-server bench:delivery`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { createEventBus } from '../src/delivery/bus.ts';
import { deliveryConfig } from '../src/delivery/config.ts';
import { createTargetGuard } from '../src/delivery/ssrf.ts';
import type { ChangeContext } from '../src/kernel/change.ts';
import { recordEvent } from '../src/kernel/outbox.ts';
import { createEndpoint } from '../src/webhook-endpoints/service.ts';
import {
  type BenchDatabase,
  backendCpuMicros,
  backendCpuSince,
  fmt,
  openBenchDatabase,
  percentile,
  postgresAnswers,
  postLoop,
} from './delivery-lib.ts';
import { sameWorkDrain, startSameWorkDrain } from './delivery-same-work.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 2_000);
const PACED_EVENTS = Number(process.env.BENCH_PACED_EVENTS ?? 1_000);
/** Issue 16's measurement of the PostgreSQL CPU per delivery (backlog) before the changes. */
const PG_MICROS_BEFORE = 299;
const CONCURRENCY = 50;
const tenantId = 'ten_benchdeliverytenant000001';
/**
 * BENCH_BACKLOG_ONLY=1: only the PostgreSQL backlog drain runs (to compare
 * two versions quickly); BENCH_PROFILE_BACKLOG=FILE: that, with the drain's
 * CPU profile written to FILE.
 */
const PROFILE_FILE = process.env.BENCH_PROFILE_BACKLOG;
const BACKLOG_ONLY = Boolean(process.env.BENCH_BACKLOG_ONLY || PROFILE_FILE);
const profiler = PROFILE_FILE ? new Session() : undefined;
profiler?.connect();
await profiler?.post('Profiler.enable');

const arrivals = new Map<string, number>();
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const id = req.headers['webhook-id'];
    if (typeof id === 'string' && !arrivals.has(id)) arrivals.set(id, Date.now());
    res.writeHead(204).end();
  });
});
server.keepAliveTimeout = 60_000;
await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
const receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;

const sampleBody = JSON.stringify({
  id: 'evt_benchbenchbenchbenchbench',
  type: 'inventory.low_stock',
  occurredAt: new Date().toISOString(),
  entityType: 'inventory',
  entityId: 'sku-1',
  tenantId,
  data: { sku: 'sku-1', onHand: 1, threshold: 10 },
});

function cpuMicros(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return used.user + used.system;
}

async function bareLoop() {
  const agent = new Agent({ connections: CONCURRENCY, keepAliveTimeout: 30_000 });
  const cpu = process.cpuUsage();
  const result = await postLoop(agent, receiverUrl, EVENTS, CONCURRENCY, () => ({
    body: sampleBody,
    headers: {},
  }));
  const nodeMicros = cpuMicros(cpu) / EVENTS;
  await agent.close();
  return { ...result, nodeMicros };
}

/** A fresh bench database with the tenant and its endpoint at the receiver. */
async function openCase(kind: 'pglite' | 'postgres') {
  const database = await openBenchDatabase(kind);
  await database.db
    .insertInto('tenants')
    .values({ id: tenantId, name: 'Bench', created_at: new Date() })
    .execute();
  const change: ChangeContext = {
    tenantId,
    actor: { type: 'system', id: 'bench' },
    requestId: null,
    now: new Date(),
  };
  await database.db.transaction().execute((trx) =>
    createEndpoint(trx, change, createTargetGuard({ allowlist: [new URL(receiverUrl).host] }), {
      url: receiverUrl,
      eventTypes: ['*'],
    }),
  );
  return database;
}

/**
 * Records `total` events as a busy clinic would: many small transactions of
 * `perTransaction` events, as fast as they go or, with `rate`, paced at
 * `rate` events/s from `fromMs`; `afterCommit` runs after each commit.
 * Resolves to each event's recording time (ms) by id.
 */
async function recordEvents(
  database: BenchDatabase,
  total: number,
  perTransaction: number,
  { rate = 0, fromMs = Date.now(), afterCommit = () => {} } = {},
): Promise<Map<string, number>> {
  const recordedAt = new Map<string, number>();
  for (let i = 0; i < total; i += perTransaction) {
    if (rate > 0) {
      const due = fromMs + (i / rate) * 1_000;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    }
    await database.db.transaction().execute(async (trx) => {
      for (let j = i; j < Math.min(total, i + perTransaction); j++) {
        const at = Date.now();
        const event = await recordEvent(trx, {
          tenantId,
          type: 'inventory.low_stock',
          entityType: 'inventory',
          entityId: `sku-${j}`,
          data: { sku: `sku-${j}`, onHand: j, threshold: 10 },
        });
        recordedAt.set(event.id, at);
      }
    });
    afterCommit();
  }
  return recordedAt;
}

/**
 * One run of the bus. `live`: events recorded in transactions of 20 as fast
 * as they go while the bus delivers; `backlog`: all recorded first, then
 * drained; `paced`: one event per transaction at `rate` events/s while the
 * bus delivers (the latency case). CPU is measured over the delivery
 * window (for `live` and `paced` it includes recording the events).
 */
async function busRun(kind: 'pglite' | 'postgres', mode: 'live' | 'backlog' | 'paced', rate = 0) {
  arrivals.clear();
  const database = await openCase(kind);
  const bus = await createEventBus({
    database,
    config: deliveryConfig.parse({
      WEBHOOK_TARGET_ALLOWLIST: new URL(receiverUrl).host,
      WEBHOOK_CONCURRENCY: String(CONCURRENCY),
      WEBHOOK_ENDPOINT_CONCURRENCY: String(CONCURRENCY),
      WEBHOOK_POLL_INTERVAL: '100ms',
    }),
  });
  const total = mode === 'paced' ? PACED_EVENTS : EVENTS;
  const perTransaction = mode === 'paced' ? 1 : 20;
  let started = Date.now();
  let nodeCpu = process.cpuUsage();
  let pgCpu = await backendCpuMicros();
  if (mode !== 'backlog') bus.dispatcher.start();
  const recordedAt = await recordEvents(database, total, perTransaction, { rate, fromMs: started });
  if (mode === 'backlog') {
    pgCpu = await backendCpuMicros();
    started = Date.now();
    nodeCpu = process.cpuUsage();
    await profiler?.post('Profiler.start');
    bus.dispatcher.start();
  }
  const deadline = Date.now() + 60_000;
  while (arrivals.size < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
  const finished = Math.max(...arrivals.values());
  if (profiler && PROFILE_FILE && mode === 'backlog') {
    const { profile } = await profiler.post('Profiler.stop');
    writeFileSync(PROFILE_FILE, JSON.stringify(profile));
  }
  const nodeMicros = cpuMicros(nodeCpu) / arrivals.size;
  // Let the last batch of attempts be recorded before reading the backends' CPU.
  await bus.dispatcher.stop();
  const pgMicros =
    kind === 'postgres' ? backendCpuSince(pgCpu, await backendCpuMicros()) / arrivals.size : 0;
  const latencies = [...arrivals].map(([id, at]) => at - (recordedAt.get(id) ?? at));
  await bus.close();
  await database.close();
  return {
    delivered: arrivals.size,
    total,
    perSecond: (arrivals.size / (finished - started)) * 1_000,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    nodeMicros,
    pgMicros,
  };
}

/**
 * The bus's backlog case drained by hand (bench/delivery-same-work.ts) on
 * PostgreSQL: the same events, recorded the same way, then drained.
 */
async function sameWorkRun() {
  arrivals.clear();
  const database = await openCase('postgres');
  await recordEvents(database, EVENTS, 20);
  const result = await sameWorkDrain({ schema: database.schema as string, arrivals });
  await database.close();
  return result;
}

/**
 * The bus's live case by hand on PostgreSQL: the same recording loop runs
 * while the hand drain (started first) delivers, woken after each commit;
 * measured as the bus's live case, CPU including the recording.
 */
async function sameWorkLiveRun() {
  arrivals.clear();
  const database = await openCase('postgres');
  const drain = await startSameWorkDrain({
    schema: database.schema as string,
    arrivals,
    until: EVENTS,
  });
  await recordEvents(database, EVENTS, 20, { afterCommit: drain.wake });
  const result = await drain.result;
  await database.close();
  return result;
}

/**
 * The live case's recording alone, with no bus: what bounds the live rate
 * (events recorded per second, CPU per event).
 */
async function recordingAloneRun() {
  const database = await openCase('postgres');
  const pgBefore = await backendCpuMicros();
  const nodeBefore = process.cpuUsage();
  const startedMs = Date.now();
  await recordEvents(database, EVENTS, 20);
  const elapsedMs = Date.now() - startedMs;
  const nodeMicros = cpuMicros(nodeBefore) / EVENTS;
  const pgMicros = backendCpuSince(pgBefore, await backendCpuMicros()) / EVENTS;
  await database.close();
  return { perSecond: (EVENTS / elapsedMs) * 1_000, nodeMicros, pgMicros };
}

const cpu = (r: { nodeMicros: number; pgMicros?: number }) =>
  `Node ${fmt(r.nodeMicros).padStart(5)} µs` +
  (r.pgMicros ? `   PostgreSQL ${fmt(r.pgMicros).padStart(4)} µs` : '');

if (BACKLOG_ONLY) {
  const backlog = await busRun('postgres', 'backlog');
  console.log(
    `backlog ${fmt(backlog.perSecond)} dlv/s   CPU/dlv ${cpu(backlog)}   (${backlog.delivered}/${backlog.total})`,
  );
  server.closeAllConnections();
  server.close();
  process.exit(0);
}
// The baseline runs twice, first and last, and the better run counts, so a
// noisy neighbour during one of them flatters neither side.
const firstBaseline = await bareLoop();
const kinds: ('pglite' | 'postgres')[] = ['pglite'];
if (await postgresAnswers()) kinds.push('postgres');
else
  console.log('PostgreSQL does not answer: skipping the PostgreSQL run (set BENCH_DATABASE_URL).');
type Run = Awaited<ReturnType<typeof busRun>>;
type SameWork = Awaited<ReturnType<typeof sameWorkRun>>;
const results: {
  kind: string;
  live: Run;
  sameWorkLive: SameWork | undefined;
  recordingAlone: Awaited<ReturnType<typeof recordingAloneRun>> | undefined;
  backlog: Run;
  sameWork: SameWork | undefined;
  paced: Run;
}[] = [];
const only = process.env.BENCH_KINDS?.split(',');
for (const kind of kinds.filter((k) => !only || only.includes(k))) {
  const live = await busRun(kind, 'live');
  const sameWorkLive = kind === 'postgres' ? await sameWorkLiveRun() : undefined;
  const recordingAlone = kind === 'postgres' ? await recordingAloneRun() : undefined;
  const backlog = await busRun(kind, 'backlog');
  const sameWork = kind === 'postgres' ? await sameWorkRun() : undefined;
  const paced = await busRun(kind, 'paced', live.perSecond / 2);
  results.push({ kind, live, sameWorkLive, recordingAlone, backlog, sameWork, paced });
}
const lastBaseline = await bareLoop();
const baseline = lastBaseline.perSecond > firstBaseline.perSecond ? lastBaseline : firstBaseline;
console.log(
  `Event delivery, ${fmt(EVENTS)} events, concurrency ${CONCURRENCY}, Node ${process.version}, loadavg ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
);
console.log(
  `bare undici POST loop        ${fmt(baseline.perSecond).padStart(8)} req/s   p50 ${fmt(baseline.p50, 1)} ms   p99 ${fmt(baseline.p99, 1)} ms   (baseline)   CPU/req ${cpu(baseline)}`,
);
const goals: string[] = [];
const goal = (met: boolean, text: string) => goals.push(`${met ? 'ok  ' : 'MISS'} ${text}`);
for (const { kind, live, sameWorkLive, recordingAlone, backlog, sameWork, paced } of results) {
  const liveRatio = live.perSecond / baseline.perSecond;
  const backlogRatio = backlog.perSecond / baseline.perSecond;
  console.log(
    `bus on ${kind.padEnd(9)}, live      ${fmt(live.perSecond).padStart(8)} dlv/s   p50 ${fmt(live.p50, 1)} ms   p99 ${fmt(live.p99, 1)} ms   ${fmt(liveRatio * 100)}% of baseline   CPU/dlv ${cpu(live)} (incl. recording)   (${live.delivered}/${live.total}; recorded while delivering; latency event→2xx)`,
  );
  if (sameWorkLive) {
    console.log(
      `same work by hand, live     ${fmt(sameWorkLive.perSecond).padStart(8)} dlv/s   ${' '.repeat(28)}${fmt((sameWorkLive.perSecond / baseline.perSecond) * 100)}% of baseline   CPU/dlv ${cpu(sameWorkLive)} (incl. recording)   (${sameWorkLive.delivered}/${EVENTS}; the live case's recording while the hand drain delivers, woken after each commit)`,
    );
  }
  if (recordingAlone) {
    console.log(
      `recording alone, no bus     ${fmt(recordingAlone.perSecond).padStart(8)} evt/s   ${' '.repeat(28)}${fmt((recordingAlone.perSecond / baseline.perSecond) * 100)}% of baseline   CPU/evt ${cpu(recordingAlone)}   (${EVENTS} events, 20 a transaction, as the live cases record them)`,
    );
  }
  console.log(
    `bus on ${kind.padEnd(9)}, backlog   ${fmt(backlog.perSecond).padStart(8)} dlv/s   ${' '.repeat(28)}${fmt(backlogRatio * 100)}% of baseline   CPU/dlv ${cpu(backlog)}   (${backlog.delivered}/${backlog.total}; all recorded first, then drained)`,
  );
  if (sameWork) {
    console.log(
      `same work by hand, backlog  ${fmt(sameWork.perSecond).padStart(8)} dlv/s   ${' '.repeat(28)}${fmt((sameWork.perSecond / baseline.perSecond) * 100)}% of baseline   CPU/dlv ${cpu(sameWork)}   (${sameWork.delivered}/${EVENTS}; bench/delivery-same-work.ts: the bus's work per delivery, by hand)`,
    );
  }
  console.log(
    `bus on ${kind.padEnd(9)}, paced     ${fmt(paced.perSecond).padStart(8)} dlv/s   p50 ${fmt(paced.p50, 1)} ms   p99 ${fmt(paced.p99, 1)} ms   CPU/dlv ${cpu(paced)} (incl. recording)   (${paced.delivered}/${paced.total}; one event per transaction at half the live rate; latency event→2xx)`,
  );
  if (kind !== 'postgres') continue;
  goal(backlogRatio >= 0.5, `backlog ≥ 0.5 of the bare loop (${fmt(backlogRatio, 2)})`);
  goal(liveRatio >= 0.3, `live ≥ 0.3 of the bare loop (${fmt(liveRatio, 2)})`);
  goal(
    paced.p99 < 100,
    `p99 event→delivery < 100 ms at half the live rate (${fmt(paced.p99, 1)} ms)`,
  );
  goal(
    backlog.pgMicros <= PG_MICROS_BEFORE / 2,
    `PostgreSQL CPU per delivery ≤ ${PG_MICROS_BEFORE / 2} µs, half of ${PG_MICROS_BEFORE} µs before (${fmt(backlog.pgMicros)} µs)`,
  );
  if (sameWork) {
    goals.push(
      `     bus backlog vs the same work by hand (${fmt(backlog.perSecond / sameWork.perSecond, 2)})`,
    );
  }
  if (sameWorkLive) {
    goals.push(
      `     bus live vs the same work by hand (${fmt(live.perSecond / sameWorkLive.perSecond, 2)})`,
    );
  }
  if (recordingAlone) {
    goals.push(
      `     bus live vs the recording alone, no delivery (${fmt(live.perSecond / recordingAlone.perSecond, 2)})`,
    );
  }
}
if (goals.length > 0) console.log(`Issue 16, goal 3 (PostgreSQL):\n  ${goals.join('\n  ')}`);
server.closeAllConnections();
server.close();
