/**
 * The relay as a feature of a running server: with `RELAY_NATS_URL` set,
 * appointments created through the HTTP API reach a JetStream consumer, once
 * each and in outbox order, with the stream created on start; without it,
 * nothing is marked. Real NATS on 127.0.0.1:4222 (skipped, saying why, when
 * it does not answer); each run has its own stream, deleted afterwards.
 */
import { type JsMsg, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { appointmentBody, patientBody } from '../../test/helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../../test/helpers/http-server.ts';
import { natsAnswers, TEST_NATS_URL } from '../../test/helpers/nats.ts';
import { relayFeature } from './feature.ts';

const natsUp = await natsAnswers('relay-server.int.test.ts');
const run = Math.random().toString(36).slice(2, 10);
const stream = `CBTEST_SERVER_${run}`;
const prefix = `cbtest_srv_${run}`;

let nc: NatsConnection;

async function post(
  running: TestServer,
  path: string,
  body: unknown,
): Promise<{ status: number; id: string }> {
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

async function streamMessages(count: number): Promise<JsMsg[]> {
  const jsm = await jetstreamManager(nc);
  const deadline = Date.now() + 30_000;
  while ((await jsm.streams.info(stream)).state.messages < count && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const consumer = await jetstream(nc).consumers.get(stream);
  const messages: JsMsg[] = [];
  const batch = await consumer.fetch({ max_messages: count + 10, expires: 1_500 });
  for await (const message of batch) messages.push(message);
  return messages;
}

describe.skipIf(!natsUp)('the relay feature in a running server', () => {
  beforeAll(async () => {
    nc = await connect({ servers: TEST_NATS_URL, reconnect: false });
  });
  afterAll(async () => {
    await (await jetstreamManager(nc)).streams.delete(stream).catch(() => false);
    await nc.close();
  });

  test('events of API writes reach a JetStream consumer once each, in outbox order', async () => {
    const running = await startTestServer({
      tenantCount: 1,
      features: [relayFeature()],
      env: {
        WEBHOOK_POLL_INTERVAL: '50ms',
        RELAY_NATS_URL: TEST_NATS_URL,
        RELAY_NATS_STREAM: stream,
        RELAY_NATS_SUBJECT_PREFIX: prefix,
      },
    });
    try {
      const info = await (await jetstreamManager(nc)).streams.info(stream);
      expect(info.config.subjects).toContain(`${prefix}.>`);
      const patient = await post(running, '/api/v1/patients', patientBody());
      expect(patient.status).toBe(201);
      for (let i = 0; i < 8; i++) {
        const created = await post(running, '/api/v1/appointments', appointmentBody(patient.id));
        expect(created.status).toBe(201);
      }
      const tenantId = running.tenants[0]?.tenantId ?? '';
      const events = await running.server.database.db
        .selectFrom('events')
        .select(['id', 'type'])
        .where('tenant_id', '=', tenantId)
        .orderBy('sequence')
        .execute();
      expect(events.length).toBeGreaterThanOrEqual(8);
      const messages = await streamMessages(events.length);
      expect(messages.map((m) => m.headers?.get('Nats-Msg-Id'))).toEqual(events.map((e) => e.id));
      expect(messages.map((m) => m.subject)).toEqual(
        events.map((e) => `${prefix}.${tenantId}.${e.type}`),
      );
      const metrics = await (await fetch(`${running.server.url}/metrics`)).text();
      expect(metrics).toContain(
        `relay_publishes_total{sink="nats",outcome="relayed"} ${events.length}`,
      );
      expect(metrics).toContain('relay_backlog_events{sink="nats"} 0');
    } finally {
      await running.server.close();
    }
  }, 60_000);

  test('without RELAY_NATS_URL the relay marks nothing and connects to nothing', async () => {
    const running = await startTestServer({
      tenantCount: 1,
      features: [relayFeature()],
      env: { WEBHOOK_POLL_INTERVAL: '50ms' },
    });
    try {
      expect((await post(running, '/api/v1/patients', patientBody())).status).toBe(201);
      const db = running.server.database.db;
      const deadline = Date.now() + 10_000;
      // Wait for the scheduler to fan the event out (the relay's fan-out would mark it then).
      while ((await db.selectFrom('event_queue').select('event_id').execute()).length > 0) {
        if (Date.now() > deadline) throw new Error('the scheduler did not fan the event out');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const marked = await running.server.database.db
        .selectFrom('relay_events')
        .select('event_id')
        .execute();
      expect(marked).toEqual([]);
    } finally {
      await running.server.close();
    }
  });
});
