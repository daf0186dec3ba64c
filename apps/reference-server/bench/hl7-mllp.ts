/**
 * Benchmark: HL7 v2 ADT messages per second over MLLP, acknowledged after
 * the durable inbox write on PostgreSQL, over one connection and over ten,
 * against a bare TCP echo of the same frames in the same run (the cost of
 * Node, the sockets and the client, with no parsing and no storage). Then
 * the p99 ACK latency at half the ten-connection rate, paced, and how fast
 * the processor applies what was stored (patients, encounters, events).
 * Every sender waits for each reply before the next message, as MLLP senders do.
 * Goals: ≥ 0.3 of the echo rate over ten connections; p99 < 50 ms at half load.
 * Run: `pnpm --filter @clinicbridge/reference-server bench:hl7`.
 */
import { createServer } from 'node:net';
import { MllpClient } from '@clinicbridge/hl7/node';
import { loadConfig } from '../src/config/index.ts';
import { configSections, resourceFeatures } from '../src/features.ts';
import { hl7Config } from '../src/hl7/config.ts';
import { registerFacility } from '../src/hl7/facilities.ts';
import { hl7Feature } from '../src/hl7/feature.ts';
import { processHl7Messages } from '../src/hl7/processor.ts';
import { createLogger } from '../src/observability/logger.ts';
import { startServer } from '../src/server.ts';
import { createTenant } from '../src/tenants/service.ts';
import { fmt, openBenchDatabase, percentile, postgresAnswers } from './delivery-lib.ts';

const PER_CONNECTION = Number(process.env.BENCH_HL7_MESSAGES ?? 300);
const RATIO_GOAL = 0.3;
const P99_GOAL_MS = 50;

let sequence = 0;
/** A realistic ADT^A01 (about 700 bytes), unique by MSH-10, MRN and visit. */
function admission(run: string): string {
  const n = ++sequence;
  return [
    `MSH|^~\\&|ADT1|CITYHOSP|CLINICBRIDGE|CB|20260301101500+0530||ADT^A01^ADT_A01|${run}-${n}|P|2.5.1`,
    'EVN|A01|20260301101500+0530|||OP01^Desai^Meera|20260301101000+0530',
    `PID|1||MRN${run}${n}^^^CITYHOSP^MR~IN${n}^^^UIDAI^NI||Sharma^Asha^K^^Mrs||19800512|F|||12 MG Road^^Pune^MH^411001^IN||+919800000000^PRN^PH|||M||ACC${n}^^^CITYHOSP^AN`,
    'NK1|1|Sharma^Raj|SPO|12 MG Road^^Pune^MH^411001^IN|+919800000001',
    `PV1|1|I|W4^402^B^CITYHOSP||||D123^Rao^Vikram^^^Dr|||MED||||1|||D123^Rao^Vikram^^^Dr|IP|V${run}${n}^^^CITYHOSP^VN|||||||||||||||||||||||||20260301100000+0530`,
    'PV2|||R51^Fever^I10',
    'DG1|1|I10|R51^Fever^I10|Fever|20260301100000+0530|A',
  ].join('\r');
}

interface Result {
  messages: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  cpuMicrosPerMessage: number;
}

/** `connections` senders, each sending `perConnection` messages one after another (or paced). */
async function drive(
  port: number,
  connections: number,
  perConnection: number,
  run: string,
  pace?: { perSecond: number },
): Promise<Result> {
  const clients = await Promise.all(
    Array.from({ length: connections }, () =>
      MllpClient.connect({ host: '127.0.0.1', port, timeoutMs: 30_000 }),
    ),
  );
  const latencies: number[] = [];
  const cpu = process.cpuUsage();
  const started = performance.now();
  const interval = pace ? (connections / pace.perSecond) * 1_000 : 0;
  await Promise.all(
    clients.map(async (client, c) => {
      for (let i = 0; i < perConnection; i++) {
        if (pace) {
          // Open-loop pacing: message i of connection c is due at a fixed time.
          const due = started + (i + c / connections) * interval;
          const wait = due - performance.now();
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        }
        const text = admission(run);
        const t0 = performance.now();
        const reply = await client.send(text);
        latencies.push(performance.now() - t0);
        if (!reply.includes('|AA|') && !reply.startsWith('MSH|^~\\&|ADT1')) {
          throw new Error(`unexpected reply: ${reply.slice(0, 200)}`);
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1_000;
  const used = process.cpuUsage(cpu);
  await Promise.all(clients.map((client) => client.close()));
  const messages = connections * perConnection;
  return {
    messages,
    seconds,
    perSecond: messages / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    cpuMicrosPerMessage: (used.user + used.system) / messages,
  };
}

function line(name: string, r: Result, base?: Result, goal?: number) {
  const ratio = base ? r.perSecond / base.perSecond : undefined;
  const verdict =
    ratio !== undefined && goal !== undefined ? (ratio >= goal ? ' ok' : ' MISS') : '';
  console.log(
    `| ${name} | ${fmt(r.perSecond)} | ${fmt(r.p50, 2)} ms | ${fmt(r.p99, 2)} ms | ${fmt(r.cpuMicrosPerMessage)} µs | ${
      ratio === undefined
        ? 'baseline'
        : `${fmt(ratio * 100)}%${goal === undefined ? '' : ` (goal ≥ ${goal * 100}%)${verdict}`}`
    } |`,
  );
}

if (!(await postgresAnswers())) {
  console.log('HL7 MLLP benchmark: PostgreSQL does not answer; set BENCH_DATABASE_URL. Skipped.');
  process.exit(0);
}

// The echo: the same frames back, byte for byte.
const echo = createServer((socket) => {
  socket.setNoDelay(true);
  socket.pipe(socket);
});
await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
const echoPort = (echo.address() as { port: number }).port;

const database = await openBenchDatabase('postgres');
const hl7 = hl7Feature({
  config: hl7Config.parse({
    HL7_MLLP_PORT: '0',
    HL7_MLLP_HOST: '127.0.0.1',
    ...(process.env.HL7_INBOX_CONCURRENCY
      ? { HL7_INBOX_CONCURRENCY: process.env.HL7_INBOX_CONCURRENCY }
      : {}),
  }),
});
const features = [...resourceFeatures, hl7];
const config = loadConfig(
  { HOST: '127.0.0.1', PORT: '1', LOG_LEVEL: 'silent', WEBHOOK_DISPATCHER: 'false' },
  configSections(features),
);
const server = await startServer({
  config: { ...config, PORT: 0 },
  database,
  logger: createLogger('silent'),
  features,
});
const tenant = await createTenant(database.db, { name: 'Bench hospital' });
await registerFacility(
  database.db,
  { tenantId: tenant.tenantId, sendingFacility: 'CITYHOSP', allowedSources: ['127.0.0.1'] },
  new Date(),
);
const mllpPort = hl7.mllpAddress()!.port;

// Warm-up of both paths (JIT, pool connections, facility cache).
await drive(echoPort, 10, 30, 'warm-echo');
await drive(mllpPort, 10, 30, 'warm');

const echo1 = await drive(echoPort, 1, PER_CONNECTION, 'e1');
const one = await drive(mllpPort, 1, PER_CONNECTION, 'c1');
const echo10 = await drive(echoPort, 10, PER_CONNECTION, 'e10');
const ten = await drive(mllpPort, 10, PER_CONNECTION, 'c10');
const half = await drive(mllpPort, 10, Math.max(50, Math.floor(PER_CONNECTION / 2)), 'h10', {
  perSecond: ten.perSecond / 2,
});

// What the processor then applies from the stored messages (bus work after the ACKs).
const stored = Number(
  (
    await database.db
      .selectFrom('hl7_messages')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('status', '=', 'received')
      .executeTakeFirstOrThrow()
  ).n,
);
const applyStarted = performance.now();
let applied = 0;
for (let idlePasses = 0; idlePasses < 3; ) {
  const n = await processHl7Messages(database.db, new Date());
  applied += n;
  idlePasses = n === 0 ? idlePasses + 1 : 0;
}
const applySeconds = (performance.now() - applyStarted) / 1_000;
const failed = await database.db
  .selectFrom('hl7_messages')
  .select(['status', 'reason'])
  .where('status', '!=', 'processed')
  .execute();

console.log(
  `HL7 v2 over MLLP on PostgreSQL: ADT^A01 of ${admission('x').length} bytes, ${PER_CONNECTION} per connection, ACK after the durable inbox write; Node ${process.version}`,
);
console.log('');
console.log('| case | messages/s | p50 ACK | p99 ACK | CPU per message (this process) | vs echo |');
console.log('|---|---:|---:|---:|---:|---|');
line('TCP echo of the same frames, 1 connection', echo1);
line('listener + inbox, 1 connection', one, echo1);
line('TCP echo of the same frames, 10 connections', echo10);
line('listener + inbox, 10 connections', ten, echo10, RATIO_GOAL);
line(`listener + inbox, 10 connections paced at ${fmt(ten.perSecond / 2)}/s`, half);
console.log('');
console.log(
  `p99 ACK latency at half load: ${fmt(half.p99, 2)} ms (goal < ${P99_GOAL_MS} ms)${half.p99 < P99_GOAL_MS ? ' ok' : ' MISS'}`,
);
console.log(
  `processing from the inbox: ${fmt(applied)} of ${fmt(stored)} stored messages applied in ${fmt(applySeconds, 1)} s = ${fmt(applied / applySeconds)}/s (patient, encounter, audit and event per message; one processor at a time)`,
);
if (failed.length > 0) {
  console.log(
    `${failed.length} message(s) not applied, e.g.: ${failed[0]?.status} ${failed[0]?.reason}`,
  );
}
console.log(
  'CPU per message counts this process only (client and listener; PostgreSQL runs in its own).',
);

await server.close();
await new Promise<void>((resolve) => echo.close(() => resolve()));
