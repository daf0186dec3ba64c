/**
 * Push notifications end to end: a started server with
 * `NOTIFICATIONS_QUEUE_URL` takes device registrations over HTTP (tokens
 * encrypted at rest, never returned) and, for an appointment of a patient
 * with a device, publishes a push intent to `push_notifications` on real
 * RabbitMQ (127.0.0.1:5672; skipped, saying why, when it does not answer);
 * a worker built from configuration as `clinicbridge-server worker --queues
 * push_notifications` builds it (FCM_SERVICE_ACCOUNT, FCM_API_URL) consumes
 * it and pushes through the FCM adapter to the fake FCM served over HTTP on
 * 127.0.0.1. One push per device and intent, a redelivered intent pushes
 * nothing more, a token FCM reports unregistered removes its device, and
 * an FCM outage is retried through `<queue>.retry` until the push goes out
 * once. The worker runs in this process on the test database, so the file
 * runs on PGlite and on PostgreSQL.
 */
import {
  FakeFcm,
  FCM_API,
  GOOGLE_TOKEN_URL,
  type ServedFakeProvider,
  serveFakeProvider,
  serverErrors,
} from '@clinicbridge/adapters/testing';
import { type Channel, type ChannelModel, connect } from 'amqplib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { appointmentBody, patientBody } from '../../test/helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../../test/helpers/http-server.ts';
import { testKeyEnv } from '../../test/helpers/pii-keys.ts';
import { rabbitMqAnswers, TEST_RABBITMQ_URL } from '../../test/helpers/rabbitmq.ts';
import { until } from '../../test/helpers/until.ts';
import { startQueueWorker } from '../cli/worker.ts';
import { loadConfig } from '../config/index.ts';
import { featureConfigSections } from '../features.ts';
import { createLogger } from '../observability/logger.ts';
import { notificationsFeature } from './feature.ts';
import { NOTIFICATION_QUEUES } from './intent.ts';
import { assertNotificationQueue, queueNames } from './queues.ts';
import type { RunningWorker } from './worker.ts';

const rabbitUp = await rabbitMqAnswers('push.int.test.ts');
const prefix = `cbpush_${Math.random().toString(36).slice(2, 10)}.`;
const push = queueNames(prefix, 'push_notifications');

describe.skipIf(!rabbitUp)('push notifications through the queue and worker', () => {
  let database: TestDatabase;
  let running: TestServer;
  let fcm: FakeFcm;
  let tokenServed: ServedFakeProvider;
  let fcmServed: ServedFakeProvider;
  /** The served fake's handlers, read on every request: a test may put a failure first. */
  let fcmHandlers: ReturnType<FakeFcm['handlers']>;
  let amqp: ChannelModel;
  let channel: Channel;
  let worker: RunningWorker;
  let apiKey: string;
  let externalRefs = 0;

  async function call(method: string, path: string, body?: unknown) {
    const res = await fetch(`${running.server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${apiKey}`,
        'content-type': 'application/json',
        ...(method === 'GET' ? {} : { 'idempotency-key': crypto.randomUUID() }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, text, json: (text ? JSON.parse(text) : undefined) as never };
  }

  /** A consenting patient with no phone or email: push is the only channel. */
  async function pushOnlyPatient(): Promise<string> {
    externalRefs += 1;
    const {
      phone: _p,
      email: _e,
      ...body
    } = patientBody({
      externalRef: `PUSH-${externalRefs}`,
      consent: { messaging: true, marketing: false },
    });
    const created = await call('POST', '/api/v1/patients', body);
    expect(created.status).toBe(201);
    return (created.json as { id: string }).id;
  }

  async function register(patientId: string, token: string) {
    const res = await call('POST', `/api/v1/patients/${patientId}/devices`, {
      token,
      platform: 'android',
      label: 'Phone',
    });
    expect(res.status).toBe(201);
    return res.json as { id: string; platform: string };
  }

  async function book(patientId: string, day: number) {
    const startsAt = new Date(Date.UTC(2027, 2, day, 9)).toISOString();
    const endsAt = new Date(Date.UTC(2027, 2, day, 10)).toISOString();
    const res = await call(
      'POST',
      '/api/v1/appointments',
      appointmentBody(patientId, { startsAt, endsAt }),
    );
    expect(res.status).toBe(201);
  }

  const intentOf = async (patientId: string) =>
    database.db
      .selectFrom('notification_intents')
      .select(['id', 'status', 'provider_message_id'])
      .where('patient_id', '=', patientId)
      .executeTakeFirst();

  const pushesTo = (token: string) => fcm.sent.filter((s) => s.message.token === token);

  beforeAll(async () => {
    database = await openTestDatabase();
    fcm = await FakeFcm.create();
    // Two origins served on 127.0.0.1: Google's token endpoint and FCM.
    tokenServed = await serveFakeProvider(new URL(GOOGLE_TOKEN_URL).origin, fcm.handlers());
    fcm.serviceAccount.token_uri = `${tokenServed.url}/token`;
    fcmHandlers = fcm.handlers();
    fcmServed = await serveFakeProvider(FCM_API, fcmHandlers);
    amqp = await connect(TEST_RABBITMQ_URL);
    channel = await amqp.createChannel();
    for (const queue of NOTIFICATION_QUEUES) await assertNotificationQueue(channel, prefix, queue);
    const queueEnv = {
      NOTIFICATIONS_QUEUE_URL: TEST_RABBITMQ_URL,
      NOTIFICATIONS_QUEUE_PREFIX: prefix,
    };
    running = await startTestServer({
      tenantCount: 1,
      database,
      features: [notificationsFeature()],
      env: { WEBHOOK_POLL_INTERVAL: '50ms', ...queueEnv },
    });
    apiKey = running.tenants[0]?.apiKey ?? '';
    // The worker's configuration, as `clinicbridge-server worker` reads it from the environment.
    const config = loadConfig(
      {
        ...testKeyEnv,
        ...queueEnv,
        DATA_DIR: '/tmp',
        NOTIFICATIONS_WORKER_MAX_ATTEMPTS: '4',
        NOTIFICATIONS_WORKER_RETRY_DELAY: '200ms',
        NOTIFICATIONS_WORKER_RETRY_MAX_DELAY: '1s',
        FCM_SERVICE_ACCOUNT: JSON.stringify(fcm.serviceAccount),
        FCM_API_URL: fcmServed.url,
      },
      featureConfigSections,
    );
    worker = await startQueueWorker({
      config,
      db: database.db,
      queues: ['push_notifications'],
      logger: createLogger('silent'),
    });
  }, 60_000);

  afterAll(async () => {
    await worker?.stop();
    await running?.server.close();
    for (const queue of NOTIFICATION_QUEUES) {
      const names = queueNames(prefix, queue);
      for (const name of [names.main, names.retry, names.dead])
        await channel?.deleteQueue(name).catch(() => undefined);
    }
    await amqp?.close().catch(() => undefined);
    await tokenServed?.close();
    await fcmServed?.close();
    await database?.close();
  });

  test('a push worker without FCM_SERVICE_ACCOUNT refuses to start, naming it', async () => {
    const config = loadConfig(
      {
        ...testKeyEnv,
        NOTIFICATIONS_QUEUE_URL: TEST_RABBITMQ_URL,
        NOTIFICATIONS_QUEUE_PREFIX: prefix,
        DATA_DIR: '/tmp',
      },
      featureConfigSections,
    );
    await expect(
      startQueueWorker({
        config,
        db: database.db,
        queues: ['push_notifications'],
        logger: createLogger('silent'),
      }),
    ).rejects.toThrow(
      'worker --queues push_notifications: no push provider is configured (FCM_SERVICE_ACCOUNT)',
    );
  });

  test('a registered device gets exactly one push per notification; a repeat pushes nothing', async () => {
    const patientId = await pushOnlyPatient();
    const token = 'fcm-device-token-ok-0001';
    const device = await register(patientId, token);
    // The token is write-only over the API and encrypted at rest.
    const listed = await call('GET', `/api/v1/patients/${patientId}/devices`);
    expect(listed.status).toBe(200);
    expect(listed.text).not.toContain(token);
    expect((listed.json as { data: Array<{ id: string }> }).data.map((d) => d.id)).toEqual([
      device.id,
    ]);
    const stored = await database.db
      .selectFrom('patient_devices')
      .selectAll()
      .where('id', '=', device.id)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(stored)).not.toContain(token);

    await book(patientId, 1);
    const intent = await until(async () => {
      const row = await intentOf(patientId);
      return row?.status === 'sent' ? row : undefined;
    }, 'the push sent');
    expect(pushesTo(token)).toHaveLength(1);
    const [sent] = pushesTo(token);
    expect(sent?.name).toBe(intent.provider_message_id);
    // The lock-screen text is the template's: no name, no clinical detail.
    expect(sent?.message.notification).toEqual({
      title: 'Appointment booked',
      body: 'Your appointment is booked. Open the app for the details.',
    });
    expect(JSON.stringify(sent?.message)).not.toContain('Ada');
    expect(sent?.message.data).toEqual({ notificationRef: intent.id });

    // The same intent again (a redelivery) is acknowledged without a second push.
    const repeats = worker.counts.repeat;
    channel.sendToQueue(
      push.main,
      Buffer.from(
        JSON.stringify({
          v: 1,
          intentId: intent.id,
          tenantId: running.tenants[0]?.tenantId,
          eventId: 'evt_repeat',
          subjectRef: patientId,
          template: 'appointment_confirmation',
          locale: 'en',
          variables: {},
          createdAt: new Date().toISOString(),
          queue: 'push_notifications',
          title: 'Appointment booked',
          body: 'Your appointment is booked. Open the app for the details.',
        }),
      ),
      { persistent: true, messageId: intent.id },
    );
    await until(() => (worker.counts.repeat > repeats ? true : undefined), 'the repeat handled');
    expect(pushesTo(token)).toHaveLength(1);
  }, 120_000);

  test('a token FCM reports unregistered removes its device; the other device still gets the push', async () => {
    const patientId = await pushOnlyPatient();
    const gone = 'fcm-device-token-gone-0002';
    const kept = 'fcm-device-token-kept-0003';
    const goneDevice = await register(patientId, gone);
    const keptDevice = await register(patientId, kept);
    fcm.unregistered.add(gone);
    await book(patientId, 2);
    const devices = await until(async () => {
      const res = await call('GET', `/api/v1/patients/${patientId}/devices`);
      const data = (res.json as { data: Array<{ id: string }> }).data;
      return data.length === 1 ? data : undefined;
    }, 'the unregistered device removed');
    expect(devices.map((d) => d.id)).toEqual([keptDevice.id]);
    await until(async () => ((await intentOf(patientId))?.status === 'sent' ? true : undefined));
    expect(pushesTo(kept)).toHaveLength(1);
    expect(pushesTo(gone)).toHaveLength(0);
    const audit = await database.db
      .selectFrom('audit_events')
      .select('action')
      .where('entity_id', '=', goneDevice.id)
      .execute();
    expect(audit.map((a) => a.action).sort()).toEqual([
      'patient_device.registered',
      'patient_device.unregistered',
    ]);
  }, 120_000);

  test('an FCM outage is retried through the retry queue; the push goes out once, no manual task', async () => {
    const patientId = await pushOnlyPatient();
    const token = 'fcm-device-token-retry-0004';
    await register(patientId, token);
    const retries = worker.counts.retry;
    const outage = serverErrors({ method: 'post', url: `${FCM_API}/v1/*`, times: 2 });
    fcmHandlers.unshift(outage.handler);
    await book(patientId, 3);
    await until(
      async () => ((await intentOf(patientId))?.status === 'sent' ? true : undefined),
      'the push sent after the outage',
      90_000,
    );
    expect(outage.hits).toBe(2);
    expect(worker.counts.retry - retries).toBeGreaterThanOrEqual(2);
    expect(pushesTo(token)).toHaveLength(1);
    const tasks = await database.db
      .selectFrom('manual_tasks')
      .select('id')
      .where('subject_ref', '=', patientId)
      .execute();
    expect(tasks).toEqual([]);
  }, 120_000);
});
