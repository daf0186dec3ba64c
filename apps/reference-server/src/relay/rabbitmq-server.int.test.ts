/**
 * The RabbitMQ relay as a feature of a running server: with
 * `RELAY_RABBITMQ_URL` set, the server declares the exchange on start and
 * the events of appointments created through the HTTP API reach a queue
 * bound to it, in outbox order, routed by tenant and event type. Real
 * RabbitMQ on 127.0.0.1:5672 (skipped, saying why, when it does not answer);
 * each run has its own exchange and queue, deleted afterwards. With
 * `RELAY_ANALYTICS=true`, the pseudonymised copies reach a queue bound to
 * the analytics exchange by category.
 */
import { type Channel, type ChannelModel, connect, type GetMessage } from 'amqplib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { appointmentBody, patientBody } from '../../test/helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../../test/helpers/http-server.ts';
import { rabbitMqAnswers, TEST_RABBITMQ_URL } from '../../test/helpers/rabbitmq.ts';
import { analyticsFeature } from '../analytics/feature.ts';
import { createPseudonymiser } from '../analytics/pseudonymiser.ts';
import { ANALYTICS_CONTENT_TYPES } from './analytics.ts';
import { relayFeature } from './feature.ts';

const rabbitUp = await rabbitMqAnswers('rabbitmq-server.int.test.ts');
const run = Math.random().toString(36).slice(2, 10);
const exchange = `cbtest.server.${run}`;
const queue = `cbtest.server.${run}`;
const analyticsExchange = `cbtest.analytics.${run}`;
const analyticsQueue = `cbtest.analytics.${run}`;

let model: ChannelModel;
let channel: Channel;

async function post(running: TestServer, path: string, body: unknown) {
  const res = await fetch(`${running.server.url}${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${running.tenants[0]?.apiKey}`,
      'content-type': 'application/json',
      'idempotency-key': crypto.randomUUID(),
    },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as { id?: string };
  return { status: res.status, id: json.id ?? '' };
}

async function take(count: number, from = queue): Promise<GetMessage[]> {
  const messages: GetMessage[] = [];
  const deadline = Date.now() + 30_000;
  while (messages.length < count && Date.now() < deadline) {
    const message = await channel.get(from, { noAck: true });
    if (message) messages.push(message);
    else await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return messages;
}

describe.skipIf(!rabbitUp)('the RabbitMQ relay in a running server', () => {
  beforeAll(async () => {
    model = await connect(TEST_RABBITMQ_URL);
    channel = await model.createChannel();
  });
  afterAll(async () => {
    await channel.deleteQueue(queue).catch(() => undefined);
    await channel.deleteExchange(exchange).catch(() => undefined);
    await channel.deleteQueue(analyticsQueue).catch(() => undefined);
    await channel.deleteExchange(analyticsExchange).catch(() => undefined);
    await model.close();
  });

  test('events of API writes reach a bound queue in outbox order, with tenant and type routing keys', async () => {
    const running = await startTestServer({
      tenantCount: 1,
      features: [relayFeature()],
      env: {
        WEBHOOK_POLL_INTERVAL: '50ms',
        RELAY_RABBITMQ_URL: TEST_RABBITMQ_URL,
        RELAY_RABBITMQ_EXCHANGE: exchange,
      },
    });
    try {
      // The server declared the exchange on start: a queue binds to it now.
      await channel.checkExchange(exchange);
      const tenantId = running.tenants[0]?.tenantId ?? '';
      await channel.assertQueue(queue, { durable: false });
      await channel.bindQueue(queue, exchange, `${tenantId}.appointment.#`);
      const patient = await post(running, '/api/v1/patients', patientBody());
      expect(patient.status).toBe(201);
      for (let i = 0; i < 6; i++) {
        const created = await post(running, '/api/v1/appointments', appointmentBody(patient.id));
        expect(created.status).toBe(201);
      }
      const db = running.server.database.db;
      const events = await db
        .selectFrom('events')
        .select(['id', 'type'])
        .where('tenant_id', '=', tenantId)
        .where('type', 'like', 'appointment.%')
        .orderBy('sequence')
        .execute();
      expect(events.length).toBeGreaterThanOrEqual(6);
      const messages = await take(events.length);
      expect(messages.map((m) => m.properties.messageId)).toEqual(events.map((e) => e.id));
      expect(messages.map((m) => m.fields.routingKey)).toEqual(
        events.map((e) => `${tenantId}.${e.type}`),
      );
      const marks = await db.selectFrom('relay_events').select(['sink', 'relayed_at']).execute();
      expect(new Set(marks.map((mark) => mark.sink))).toEqual(new Set(['rabbitmq']));
      const metrics = await (await fetch(`${running.server.url}/metrics`)).text();
      expect(metrics).toMatch(/relay_publishes_total\{sink="rabbitmq",outcome="relayed"\} \d+/);
    } finally {
      await running.server.close();
    }
  }, 60_000);

  test('analytics copies reach the analytics exchange pseudonymised, routed by category', async () => {
    const secret = `rabbit-analytics-${run}-0123456789`;
    const running = await startTestServer({
      tenantCount: 1,
      features: [relayFeature(), analyticsFeature],
      env: {
        WEBHOOK_POLL_INTERVAL: '50ms',
        RELAY_RABBITMQ_URL: TEST_RABBITMQ_URL,
        RELAY_RABBITMQ_EXCHANGE: `${exchange}.events2`,
        RELAY_ANALYTICS: 'true',
        RELAY_RABBITMQ_ANALYTICS_EXCHANGE: analyticsExchange,
        ANALYTICS_PSEUDONYM_KEY: secret,
      },
    });
    try {
      await channel.checkExchange(analyticsExchange);
      const tenantId = running.tenants[0]?.tenantId ?? '';
      await channel.assertQueue(analyticsQueue, { durable: false });
      await channel.bindQueue(analyticsQueue, analyticsExchange, 'user_events.#');
      const patient = await post(running, '/api/v1/patients', patientBody());
      const appointment = await post(running, '/api/v1/appointments', appointmentBody(patient.id));
      expect(appointment.status).toBe(201);
      const [message] = await take(1, analyticsQueue);
      if (!message) throw new Error('no analytics copy reached the queue');
      expect(message.fields.routingKey).toBe(`user_events.${tenantId}.appointment.created`);
      expect(message.properties.contentType).toBe(ANALYTICS_CONTENT_TYPES.json);
      const text = message.content.toString('utf8');
      for (const raw of [
        patient.id,
        appointment.id,
        'Ada',
        'ada@example.com',
        'Dental consultation',
      ])
        expect(text).not.toContain(raw);
      const record = JSON.parse(text) as { subjectRef: string; eventRef: string };
      const pseudonymiser = createPseudonymiser(secret);
      expect(record.subjectRef).toBe(pseudonymiser.pseudonym(tenantId, patient.id));
      expect(message.properties.messageId).toBe(record.eventRef);
      expect(message.properties.headers?.['x-tenant-id']).toBe(tenantId);
    } finally {
      await running.server.close();
      await channel.deleteExchange(`${exchange}.events2`).catch(() => undefined);
    }
  }, 60_000);
});
