/**
 * Benchmark: deliveries per second from a recorded event to a local
 * receiver's 2xx, and p50/p99 of event-to-delivery latency, on PGlite and
 * PostgreSQL — against a bare loop of undici POSTs to the same receiver in
 * the same run (the ceiling the bus could reach if it cost nothing).
 * Run: `pnpm --filter @clinicbridge/reference-server bench:delivery`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { createEventBus } from '../src/delivery/bus.ts';
import { deliveryConfig } from '../src/delivery/config.ts';
import { createTargetGuard } from '../src/delivery/ssrf.ts';
import type { ChangeContext } from '../src/kernel/change.ts';
import { recordEvent } from '../src/kernel/outbox.ts';
import { createEndpoint } from '../src/webhook-endpoints/service.ts';
import { fmt, openBenchDatabase, percentile, postgresAnswers, postLoop } from './delivery-lib.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 2_000);
const CONCURRENCY = 50;
const tenantId = 'ten_benchdeliverytenant000001';

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

async function bareLoop() {
  const agent = new Agent({ connections: CONCURRENCY, keepAliveTimeout: 30_000 });
  const result = await postLoop(agent, receiverUrl, EVENTS, CONCURRENCY, () => ({
    body: sampleBody,
    headers: {},
  }));
  await agent.close();
  return result;
}

async function busRun(kind: 'pglite' | 'postgres', mode: 'live' | 'backlog') {
  arrivals.clear();
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
  const bus = await createEventBus({
    database,
    config: deliveryConfig.parse({
      WEBHOOK_TARGET_ALLOWLIST: new URL(receiverUrl).host,
      WEBHOOK_CONCURRENCY: String(CONCURRENCY),
      WEBHOOK_ENDPOINT_CONCURRENCY: String(CONCURRENCY),
      WEBHOOK_POLL_INTERVAL: '100ms',
    }),
  });
  const recordedAt = new Map<string, number>();
  let started = Date.now();
  if (mode === 'live') bus.dispatcher.start();
  // Record as a busy clinic would: many small transactions, while delivery runs.
  for (let i = 0; i < EVENTS; i += 20) {
    await database.db.transaction().execute(async (trx) => {
      for (let j = i; j < Math.min(EVENTS, i + 20); j++) {
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
  }
  if (mode === 'backlog') {
    started = Date.now();
    bus.dispatcher.start();
  }
  const deadline = Date.now() + 60_000;
  while (arrivals.size < EVENTS && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 10));
  const finished = Math.max(...arrivals.values());
  const latencies = [...arrivals].map(([id, at]) => at - (recordedAt.get(id) ?? at));
  await bus.close();
  await database.close();
  return {
    delivered: arrivals.size,
    perSecond: (arrivals.size / (finished - started)) * 1_000,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

// The baseline runs twice, first and last, and the better run counts, so a
// noisy neighbour during one of them flatters neither side.
const firstBaseline = await bareLoop();
const kinds: ('pglite' | 'postgres')[] = ['pglite'];
if (await postgresAnswers()) kinds.push('postgres');
else
  console.log('PostgreSQL does not answer: skipping the PostgreSQL run (set BENCH_DATABASE_URL).');
const results: {
  kind: string;
  live: Awaited<ReturnType<typeof busRun>>;
  backlog: Awaited<ReturnType<typeof busRun>>;
}[] = [];
for (const kind of kinds)
  results.push({ kind, live: await busRun(kind, 'live'), backlog: await busRun(kind, 'backlog') });
const lastBaseline = await bareLoop();
const baseline = lastBaseline.perSecond > firstBaseline.perSecond ? lastBaseline : firstBaseline;
console.log(
  `Event delivery, ${fmt(EVENTS)} events, concurrency ${CONCURRENCY}, Node ${process.version}`,
);
console.log(
  `bare undici POST loop        ${fmt(baseline.perSecond).padStart(8)} req/s   p50 ${fmt(baseline.p50, 1)} ms   p99 ${fmt(baseline.p99, 1)} ms   (baseline)`,
);
for (const { kind, live, backlog } of results) {
  console.log(
    `bus on ${kind.padEnd(9)}, live      ${fmt(live.perSecond).padStart(8)} dlv/s   p50 ${fmt(live.p50, 1)} ms   p99 ${fmt(live.p99, 1)} ms   ${fmt((live.perSecond / baseline.perSecond) * 100)}% of baseline   (${live.delivered}/${EVENTS}; recorded while delivering; latency event→2xx)`,
  );
  console.log(
    `bus on ${kind.padEnd(9)}, backlog   ${fmt(backlog.perSecond).padStart(8)} dlv/s   ${' '.repeat(28)}${fmt((backlog.perSecond / baseline.perSecond) * 100)}% of baseline   (${backlog.delivered}/${EVENTS}; all recorded first, then drained)`,
  );
}
server.closeAllConnections();
server.close();
