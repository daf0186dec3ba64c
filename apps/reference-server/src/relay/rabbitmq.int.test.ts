/**
 * The relay to the real RabbitMQ on 127.0.0.1:5672 and the test database
 * (PGlite, or PostgreSQL with TEST_DATABASE_URL): routing keys per tenant
 * and event type, order within a tenant, per-sink marks, an outage that
 * backs off and alerts, and exactly-once effects through the consumer inbox
 * when the broker delivers an event twice. Each run has its own exchange and
 * queues, deleted afterwards. Skipped, with the reason printed, only when
 * RabbitMQ does not answer there.
 */
import { type Channel, type ChannelModel, connect, type GetMessage } from 'amqplib';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { closedPort } from '../../test/helpers/ports.ts';
import { rabbitMqAnswers, TEST_RABBITMQ_URL } from '../../test/helpers/rabbitmq.ts';
import {
  fanOutToSinks,
  recordInventoryEvents,
  relayUntilIdle,
  testRelay,
} from '../../test/helpers/relay.ts';
import { recordEvent } from '../kernel/outbox.ts';
import { consumeOnce } from './consumer-inbox.ts';
import { type RabbitMqTarget, rabbitMqSink } from './rabbitmq.ts';
import { RELAY_ALERT_KIND, type RelayOptions } from './relay.ts';

const rabbitUp = await rabbitMqAnswers('rabbitmq.int.test.ts');

const run = Math.random().toString(36).slice(2, 10);
const target: RabbitMqTarget = {
  url: TEST_RABBITMQ_URL,
  exchange: `cbtest.relay.${run}`,
  timeoutMs: 2_000,
};
const tenantA = `ten_rmqa${run}`;
const tenantB = `ten_rmqb${run}`;
/** Every event of the run, and only tenant A's inventory events. */
const allQueue = `cbtest.all.${run}`;
const tenantAQueue = `cbtest.a.${run}`;

let database: TestDatabase;
let model: ChannelModel;
let channel: Channel;

const record = (tenantId: string, count: number) =>
  recordInventoryEvents(database.db, tenantId, count);

/** An event of another type, to check routing on the type. */
async function recordDisabled(tenantId: string): Promise<string> {
  const endpointId: `whep_${string}` = `whep_${Math.random().toString(36).slice(2).padEnd(16, '0')}`;
  const event = await database.db.transaction().execute((trx) =>
    recordEvent(trx, {
      tenantId,
      type: 'webhook_endpoint.disabled',
      entityType: 'webhook_endpoint',
      entityId: endpointId,
      data: { endpointId, reasonCode: 'failing', failingSince: null },
    }),
  );
  return event.id;
}

const fanOut = (sinks: Parameters<typeof fanOutToSinks>[1] = ['rabbitmq']) =>
  fanOutToSinks(database.db, sinks);

function relayOf(overrides: Partial<RelayOptions> = {}) {
  return testRelay({
    db: database.db,
    sink: rabbitMqSink(target),
    publishTimeoutMs: target.timeoutMs,
    ...overrides,
  });
}

/** Takes `count` messages from `queue` (waiting up to 10 s for them), acknowledging each. */
async function take(queue: string, count: number): Promise<GetMessage[]> {
  const messages: GetMessage[] = [];
  const deadline = Date.now() + 10_000;
  while (messages.length < count && Date.now() < deadline) {
    const message = await channel.get(queue, { noAck: true });
    if (message) messages.push(message);
    else await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return messages;
}

async function queueDepth(queue: string): Promise<number> {
  return (await channel.checkQueue(queue)).messageCount;
}

async function marks(sink: string, relayed: boolean): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from relay_events
    where sink = ${sink} and (relayed_at is not null) = ${relayed}`.execute(database.db);
  return rows[0]?.n ?? 0;
}

describe.skipIf(!rabbitUp)('outbox relay to RabbitMQ', () => {
  beforeAll(async () => {
    database = await openTestDatabase();
    model = await connect(TEST_RABBITMQ_URL);
    channel = await model.createChannel();
    await channel.assertExchange(target.exchange, 'topic', { durable: true });
    await channel.assertQueue(allQueue, { durable: false, autoDelete: false });
    await channel.bindQueue(allQueue, target.exchange, '#');
    await channel.assertQueue(tenantAQueue, { durable: false, autoDelete: false });
    await channel.bindQueue(tenantAQueue, target.exchange, `${tenantA}.inventory.#`);
  });
  afterAll(async () => {
    if (channel) {
      await channel.deleteQueue(allQueue).catch(() => undefined);
      await channel.deleteQueue(tenantAQueue).catch(() => undefined);
      await channel.deleteExchange(target.exchange).catch(() => undefined);
      await model.close();
    }
    await database?.close();
  });
  beforeEach(async () => {
    await channel.purgeQueue(allQueue);
    await channel.purgeQueue(tenantAQueue);
    await database.db.deleteFrom('relay_events').execute();
    await database.db.deleteFrom('operator_alerts').execute();
  });

  test('events reach bound queues by tenant and type routing keys, in order per tenant, with the webhook envelope', async () => {
    const expected = new Map<string, string[]>([
      [tenantA, []],
      [tenantB, []],
    ]);
    const otherIds: string[] = [];
    for (let round = 0; round < 4; round++) {
      for (const tenant of [tenantA, tenantB])
        expected.get(tenant)?.push(...(await record(tenant, 3)));
      const other = await recordDisabled(tenantA);
      otherIds.push(other);
      expected.get(tenantA)?.push(other);
    }
    await fanOut();
    // Two relays share the tenants, a few events per pass each.
    const one = relayOf({ eventsPerTenant: 3 });
    const two = relayOf({ eventsPerTenant: 3 });
    await Promise.all([relayUntilIdle(one), relayUntilIdle(two)]);
    await Promise.all([one.close(), two.close()]);

    expect(await marks('rabbitmq', true)).toBe(28);
    const all = await take(allQueue, 28);
    expect(all).toHaveLength(28);
    for (const tenant of [tenantA, tenantB]) {
      const got = all
        .filter((m) => m.fields.routingKey.startsWith(`${tenant}.`))
        .map((m) => m.properties.messageId);
      expect(got).toEqual(expected.get(tenant));
    }
    const first = all.find((m) => m.properties.messageId === otherIds[0]);
    expect(first?.fields.routingKey).toBe(`${tenantA}.webhook_endpoint.disabled`);
    expect(first?.properties).toMatchObject({
      contentType: 'application/json',
      deliveryMode: 2,
      type: 'webhook_endpoint.disabled',
    });
    const envelope = JSON.parse(first?.content.toString() ?? '{}') as Record<string, unknown>;
    expect(Object.keys(envelope).sort()).toEqual([
      'data',
      'entityId',
      'entityType',
      'id',
      'occurredAt',
      'tenantId',
      'type',
    ]);
    expect(envelope).toMatchObject({ id: otherIds[0], tenantId: tenantA });
    // `<tenant A>.inventory.#` holds exactly tenant A's inventory events, in order.
    const inventoryA = (expected.get(tenantA) ?? []).filter((id) => !otherIds.includes(id));
    const bound = await take(tenantAQueue, inventoryA.length);
    expect(bound.map((m) => m.properties.messageId)).toEqual(inventoryA);
    expect(await queueDepth(tenantAQueue)).toBe(0);
  });

  test('marks are per sink: relaying to RabbitMQ leaves the JetStream marks waiting', async () => {
    const ids = await record(tenantB, 5);
    await fanOut(['nats', 'rabbitmq']);
    const relay = relayOf();
    await relayUntilIdle(relay);
    expect(await marks('rabbitmq', true)).toBe(5);
    expect(await marks('nats', false)).toBe(5);
    // Another pass publishes nothing again: only the NATS marks are pending.
    expect(await relay.run(new Date())).toBe(0);
    await relay.close();
    expect((await take(allQueue, 5)).map((m) => m.properties.messageId)).toEqual(ids);
    expect(await queueDepth(allQueue)).toBe(0);
  });

  test('a broker outage marks nothing, backs off, raises one alert, and recovery relays everything in order', async () => {
    const downPort = await closedPort();
    let url = `amqp://guest:guest@127.0.0.1:${downPort}`;
    const relay = relayOf({
      sink: { ...rabbitMqSink(target), connect: () => rabbitMqSink({ ...target, url }).connect() },
      backoffMs: { first: 1_000, max: 8_000 },
    });
    const ids = await record(tenantA, 6);
    await fanOut();
    const start = Date.now();
    expect(await relay.run(new Date(start))).toBe(0);
    expect(await relay.run(new Date(start + 10_000))).toBe(0);
    expect(await marks('rabbitmq', true)).toBe(0);
    const open = await database.db
      .selectFrom('operator_alerts')
      .selectAll()
      .where('kind', '=', RELAY_ALERT_KIND)
      .execute();
    expect(open).toHaveLength(1);
    expect(open[0]?.resolved_at).toBeNull();
    expect(open[0]?.message).toContain('RELAY_RABBITMQ_URL');
    expect(open[0]?.details).toMatchObject({ sink: 'rabbitmq' });
    // Backing off: an immediate pass does not even try.
    expect(await relay.run(new Date(start + 10_001))).toBe(0);

    url = TEST_RABBITMQ_URL;
    await relayUntilIdle(relay, new Date(start + 60_000));
    await relay.close();
    expect(await marks('rabbitmq', true)).toBe(6);
    expect((await take(allQueue, 6)).map((m) => m.properties.messageId)).toEqual(ids);
    const alerts = await database.db
      .selectFrom('operator_alerts')
      .select('resolved_at')
      .where('kind', '=', RELAY_ALERT_KIND)
      .execute();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.resolved_at).not.toBeNull();
  });

  test('an event delivered twice (crash between confirm and mark) has its effect once through the consumer inbox', async () => {
    const ids = await record(tenantB, 4);
    await fanOut();
    const relay = relayOf();
    await relayUntilIdle(relay);
    // The marks never committed and the lease ran out: everything goes again.
    await database.db.updateTable('relay_events').set({ relayed_at: null }).execute();
    await database.db
      .updateTable('relay_tenants')
      .set({ lease_owner: 'crashed', lease_expires_at: new Date(Date.now() - 1_000) })
      .execute();
    await relayUntilIdle(relay);
    await relay.close();

    const delivered = await take(allQueue, 8);
    expect(delivered.map((m) => m.properties.messageId)).toEqual([...ids, ...ids]);
    const consumer = `cbtest_consumer_${run}`;
    let effects = 0;
    const applied: boolean[] = [];
    for (const message of delivered) {
      const envelope = JSON.parse(message.content.toString()) as { id: string };
      applied.push(
        await consumeOnce(database.db, { consumer, eventId: envelope.id }, async () => {
          effects += 1;
        }),
      );
    }
    expect(effects).toBe(4);
    expect(applied).toEqual([true, true, true, true, false, false, false, false]);
    // A failing effect rolls its inbox row back, so the redelivery applies it.
    const failing = consumeOnce(database.db, { consumer, eventId: 'evt_fails_once' }, async () => {
      throw new Error('downstream unavailable');
    });
    await expect(failing).rejects.toThrow('downstream unavailable');
    expect(
      await consumeOnce(database.db, { consumer, eventId: 'evt_fails_once' }, async () => {
        effects += 1;
      }),
    ).toBe(true);
    expect(effects).toBe(5);
  });
});
