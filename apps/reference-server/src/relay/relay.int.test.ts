/**
 * The relay against the real NATS JetStream on 127.0.0.1:4222 and the test
 * database (PGlite, or PostgreSQL with TEST_DATABASE_URL). Each run uses its
 * own stream and subject prefix and deletes the stream afterwards. Skipped,
 * with the reason printed, only when NATS does not answer there.
 */
import { type JsMsg, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { natsAnswers, TEST_NATS_URL } from '../../test/helpers/nats.ts';
import { closedPort } from '../../test/helpers/ports.ts';
import {
  fanOutToSinks,
  recordInventoryEvents,
  relayUntilIdle,
  testRelay,
} from '../../test/helpers/relay.ts';
import { connectJetStream, type JetStreamTarget, jetStreamSink } from './jetstream.ts';
import { RELAY_ALERT_KIND, type RelayOptions } from './relay.ts';
import type { SinkConnection } from './sink.ts';

const NATS_URL = TEST_NATS_URL;
const natsUp = await natsAnswers('relay.int.test.ts');

const run = Math.random().toString(36).slice(2, 10);
const target: JetStreamTarget = {
  servers: NATS_URL,
  stream: `CBTEST_RELAY_${run}`,
  subjectPrefix: `cbtest_${run}`,
  duplicateWindowMs: 120_000,
  timeoutMs: 2_000,
};
const tenantA = `ten_relaya${run}`;
const tenantB = `ten_relayb${run}`;

let database: TestDatabase;
let nc: NatsConnection;

const record = (tenantId: string, count: number) =>
  recordInventoryEvents(database.db, tenantId, count);

const fanOut = () => fanOutToSinks(database.db, ['nats']);

function relayOf(overrides: Partial<RelayOptions> = {}) {
  return testRelay({
    db: database.db,
    sink: jetStreamSink(target),
    publishTimeoutMs: target.timeoutMs,
    ...overrides,
  });
}

/** Every message of the run's stream, read by an ordered JetStream consumer. */
async function consumeAll(): Promise<JsMsg[]> {
  const jsm = await jetstreamManager(nc);
  const total = (await jsm.streams.info(target.stream)).state.messages;
  const consumer = await jetstream(nc).consumers.get(target.stream);
  const messages: JsMsg[] = [];
  while (messages.length < total) {
    const batch = await consumer.fetch({ max_messages: total - messages.length, expires: 2_000 });
    for await (const message of batch) messages.push(message);
  }
  return messages;
}

const idOf = (message: JsMsg) => message.headers?.get('Nats-Msg-Id') ?? '';

async function relayedCount(): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from relay_events where relayed_at is not null`.execute(database.db);
  return rows[0]?.n ?? 0;
}

describe.skipIf(!natsUp)('outbox relay to NATS JetStream', () => {
  beforeAll(async () => {
    database = await openTestDatabase();
    nc = await connect({ servers: NATS_URL, reconnect: false });
  });
  afterAll(async () => {
    if (nc) {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.delete(target.stream).catch(() => false);
      await nc.close();
    }
    await database?.close();
  });
  beforeEach(async () => {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.purge(target.stream).catch(() => undefined);
    await database.db.deleteFrom('relay_events').execute();
    await database.db.deleteFrom('operator_alerts').execute();
  });

  test('each event reaches a consumer once, with the webhook envelope, even when published twice', async () => {
    const ids = await record(tenantA, 12);
    await fanOut();
    const acks: boolean[] = [];
    const counting = async (): Promise<SinkConnection> => {
      const real = await connectJetStream(target);
      return {
        async publish(message) {
          const ack = await real.publish(message);
          acks.push(ack.duplicate);
          return ack;
        },
        close: () => real.close(),
      };
    };
    const outcomes: string[] = [];
    const relay = relayOf({
      sink: { ...jetStreamSink(target), connect: counting },
      onPublished: (outcome) => outcomes.push(outcome),
    });
    await relayUntilIdle(relay);
    expect(await relayedCount()).toBe(12);
    // A crash between publish and mark: the broker has the messages, the
    // marks never committed and the lease ran out.
    await database.db.updateTable('relay_events').set({ relayed_at: null }).execute();
    await database.db
      .updateTable('relay_tenants')
      .set({ lease_owner: 'crashed', lease_expires_at: new Date(Date.now() - 1_000) })
      .execute();
    await relayUntilIdle(relay);
    await relay.close();

    expect(acks).toHaveLength(24);
    expect(outcomes.filter((o) => o === 'relayed')).toHaveLength(12);
    expect(outcomes.filter((o) => o === 'duplicate')).toHaveLength(12);
    expect(acks.slice(0, 12).every((duplicate) => !duplicate)).toBe(true);
    expect(acks.slice(12).every((duplicate) => duplicate)).toBe(true);
    expect(await relayedCount()).toBe(12);
    const messages = await consumeAll();
    expect(messages.map(idOf)).toEqual(ids);
    const first = messages[0];
    expect(first?.subject).toBe(`${target.subjectPrefix}.${tenantA}.inventory.low_stock`);
    const envelope = first?.json<Record<string, unknown>>();
    expect(Object.keys(envelope ?? {}).sort()).toEqual([
      'data',
      'entityId',
      'entityType',
      'id',
      'occurredAt',
      'tenantId',
      'type',
    ]);
    expect(envelope).toMatchObject({ id: ids[0], tenantId: tenantA, type: 'inventory.low_stock' });
  });

  test("a tenant's events arrive in outbox order, with two relays sharing the work", async () => {
    const expected = new Map<string, string[]>([
      [tenantA, []],
      [tenantB, []],
    ]);
    for (let round = 0; round < 5; round++) {
      for (const tenant of [tenantA, tenantB])
        expected.get(tenant)?.push(...(await record(tenant, 4)));
    }
    await fanOut();
    const one = relayOf({ eventsPerTenant: 3 });
    const two = relayOf({ eventsPerTenant: 3 });
    await Promise.all([relayUntilIdle(one), relayUntilIdle(two)]);
    await Promise.all([one.close(), two.close()]);

    expect(await relayedCount()).toBe(40);
    const messages = await consumeAll();
    expect(messages).toHaveLength(40);
    for (const tenant of [tenantA, tenantB]) {
      const got = messages
        .filter((m) => m.subject.startsWith(`${target.subjectPrefix}.${tenant}.`))
        .map(idOf);
      expect(got).toEqual(expected.get(tenant));
    }
  });

  test('a broker outage marks nothing, raises one alert, and recovery relays everything', async () => {
    const downPort = await closedPort();
    let servers = `nats://127.0.0.1:${downPort}`;
    const relay = relayOf({
      sink: { ...jetStreamSink(target), connect: () => connectJetStream({ ...target, servers }) },
      backoffMs: { first: 1_000, max: 8_000 },
    });
    const ids = await record(tenantB, 6);
    await fanOut();
    const start = Date.now();
    expect(await relay.run(new Date(start))).toBe(0);
    expect(await relay.run(new Date(start + 10_000))).toBe(0);
    expect(await relayedCount()).toBe(0);
    const open = await database.db
      .selectFrom('operator_alerts')
      .selectAll()
      .where('kind', '=', RELAY_ALERT_KIND)
      .execute();
    expect(open).toHaveLength(1);
    expect(open[0]?.resolved_at).toBeNull();
    // Backing off: an immediate pass does not even try.
    expect(await relay.run(new Date(start + 10_001))).toBe(0);

    servers = NATS_URL;
    await relayUntilIdle(relay, new Date(start + 60_000));
    await relay.close();
    expect(await relayedCount()).toBe(6);
    expect((await consumeAll()).map(idOf)).toEqual(ids);
    const alerts = await database.db
      .selectFrom('operator_alerts')
      .select('resolved_at')
      .where('kind', '=', RELAY_ALERT_KIND)
      .execute();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.resolved_at).not.toBeNull();
  });
});
