/**
 * Benchmark: events per second the outbox relay moves from the database to
 * NATS JetStream and to RabbitMQ (claim, read, publish with the broker's
 * acknowledgement, mark), against a bare publish loop of the same messages
 * through the same client in the same run, shaped like the relay (each
 * tenant's messages one after another, awaiting each acknowledgement;
 * tenants side by side). Three rounds, each with fresh events (so
 * JetStream's duplicate window drops none): a bare loop, then the relay;
 * the best round of each counts, so a noisy neighbour during one run
 * flatters neither side. Goal: relay ≥ 50% of the bare loop per sink; a
 * miss prints MISS. A broker that does not answer is skipped, saying why.
 * Run: `pnpm --filter @clinicbridge/reference-server bench:relay`.
 */
import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect as connectNats } from '@nats-io/transport-node';
import { connect as connectAmqp } from 'amqplib';
import type { Database } from '../src/db/database.ts';
import { envelopeBody } from '../src/delivery/worker.ts';
import { recordEvent } from '../src/kernel/outbox.ts';
import { markForRelay, unrelayedEvents } from '../src/relay/claims.ts';
import { jetStreamSink } from '../src/relay/jetstream.ts';
import { rabbitMqSink } from '../src/relay/rabbitmq.ts';
import { createRelay } from '../src/relay/relay.ts';
import type { RelayMessage, RelaySink } from '../src/relay/sink.ts';
import { fanOutEvents } from '../src/scheduler/fanout.ts';
import { fmt, openBenchDatabase, postgresAnswers } from './delivery-lib.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 2_000);
const TENANTS = 8;
const ROUNDS = 3;
const GOAL = 0.5;
const NATS_URL = process.env.BENCH_NATS_URL ?? 'nats://127.0.0.1:4222';
const RABBITMQ_URL = process.env.BENCH_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const run = randomBytes(4).toString('hex');
const tenants = Array.from({ length: TENANTS }, (_, i) => `ten_benchrelay${run}${i}`);

interface Broker {
  readonly sink: RelaySink;
  readonly cleanup: () => Promise<void>;
}

async function natsBroker(): Promise<Broker | string> {
  const stream = `CBBENCH_RELAY_${run}`;
  try {
    const nc = await connectNats({ servers: NATS_URL, timeout: 1_000, reconnect: false });
    return {
      sink: jetStreamSink({
        servers: NATS_URL,
        stream,
        subjectPrefix: `cbbench_${run}`,
        duplicateWindowMs: 120_000,
        timeoutMs: 5_000,
      }),
      cleanup: async () => {
        await (await jetstreamManager(nc)).streams.delete(stream).catch(() => false);
        await nc.close();
      },
    };
  } catch (error) {
    return `NATS does not answer on ${NATS_URL} (${String(error)})`;
  }
}

async function rabbitBroker(): Promise<Broker | string> {
  const exchange = `cbbench.relay.${run}`;
  try {
    const model = await connectAmqp(RABBITMQ_URL, { timeout: 1_000 });
    const channel = await model.createChannel();
    // A bound queue, so the broker routes and stores every message.
    await channel.assertExchange(exchange, 'topic', { durable: true });
    const { queue } = await channel.assertQueue('', { exclusive: true });
    await channel.bindQueue(queue, exchange, '#');
    return {
      sink: rabbitMqSink({ url: RABBITMQ_URL, exchange, timeoutMs: 5_000 }),
      cleanup: async () => {
        await channel.deleteExchange(exchange).catch(() => undefined);
        await model.close();
      },
    };
  } catch (error) {
    return `RabbitMQ does not answer on 127.0.0.1:5672 (${String(error)})`;
  }
}

/** Records EVENTS events round-robin over the tenants and marks them for `sink`. */
async function seed(database: Database, sink: RelaySink): Promise<void> {
  for (let i = 0; i < EVENTS; i += 50) {
    await database.db.transaction().execute(async (trx) => {
      for (let j = i; j < Math.min(EVENTS, i + 50); j++) {
        await recordEvent(trx, {
          tenantId: tenants[j % TENANTS] ?? '',
          type: 'inventory.low_stock',
          entityType: 'inventory',
          entityId: `sku-${j}`,
          data: { sku: `sku-${j}`, onHand: j, threshold: 10 },
        });
      }
    });
  }
  const targets = [
    (trx: Database['db'], ids: readonly string[], now: Date) =>
      markForRelay(trx, ids, now, [sink.name]),
  ];
  while ((await fanOutEvents(database.db, [], new Date(), { targets })) > 0) {}
}

/**
 * The messages the relay will publish, grouped by tenant in outbox order,
 * under other ids (`<event id>_bare`) so the stream stores both sides' copies.
 */
async function messagesOf(database: Database, sink: RelaySink): Promise<RelayMessage[][]> {
  const rows = await unrelayedEvents(database.db, sink.name, tenants, EVENTS);
  return tenants.map((tenant) =>
    rows
      .filter((row) => row.tenant_id === tenant)
      .map((row) => ({
        id: `${row.event_id}_bare`,
        tenantId: row.tenant_id,
        type: row.event_type,
        body: envelopeBody(row),
      })),
  );
}

/** Bare loop: one connection, each tenant's messages in order awaiting each ack, tenants side by side. */
async function bareLoop(sink: RelaySink, byTenant: RelayMessage[][]): Promise<number> {
  const connection = await sink.connect();
  const started = performance.now();
  await Promise.all(
    byTenant.map(async (messages) => {
      for (const message of messages) await connection.publish(message);
    }),
  );
  const elapsed = performance.now() - started;
  await connection.close();
  return (EVENTS / elapsed) * 1_000;
}

async function relayRun(database: Database, sink: RelaySink): Promise<number> {
  const relay = createRelay({
    db: database.db,
    worker: 'bench',
    sink,
    leaseMs: 60_000,
    publishTimeoutMs: 5_000,
  });
  await relay.connectNow(new Date());
  const started = performance.now();
  let relayed = 0;
  for (let moved = 1; moved > 0; ) {
    moved = await relay.run(new Date());
    relayed += moved;
  }
  const elapsed = performance.now() - started;
  await relay.close();
  if (relayed !== EVENTS) throw new Error(`relayed ${relayed} of ${EVENTS} events`);
  return (EVENTS / elapsed) * 1_000;
}

const kind: 'pglite' | 'postgres' = (await postgresAnswers()) ? 'postgres' : 'pglite';
console.log(
  `Outbox relay, ${fmt(EVENTS)} events over ${TENANTS} tenants, database ${kind}, Node ${process.version}`,
);
let missed = false;
for (const [name, open] of [
  ['NATS JetStream', natsBroker],
  ['RabbitMQ', rabbitBroker],
] as const) {
  const broker = await open();
  if (typeof broker === 'string') {
    console.log(`${name}: skipped, ${broker}`);
    continue;
  }
  const database = await openBenchDatabase(kind);
  try {
    const bare: number[] = [];
    const relayed: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      await seed(database, broker.sink);
      bare.push(await bareLoop(broker.sink, await messagesOf(database, broker.sink)));
      relayed.push(await relayRun(database, broker.sink));
    }
    const baseline = Math.max(...bare);
    const relay = Math.max(...relayed);
    const ratio = relay / baseline;
    const verdict = ratio >= GOAL ? 'ok' : 'MISS';
    if (ratio < GOAL) missed = true;
    console.log(
      `${name.padEnd(15)} bare publish loop ${fmt(baseline).padStart(6)} msg/s   relay ${fmt(relay).padStart(6)} ev/s   ${fmt(ratio * 100)}% of baseline   goal ≥ ${GOAL * 100}%: ${verdict}   (rounds: bare ${bare.map((v) => fmt(v)).join(' / ')}; relay ${relayed.map((v) => fmt(v)).join(' / ')})`,
    );
  } finally {
    await database.close();
    await broker.cleanup();
  }
}
if (missed) console.log('MISS: the relay fell below its goal against the bare publish loop.');
