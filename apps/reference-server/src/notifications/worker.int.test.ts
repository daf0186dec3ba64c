/**
 * Notification queues end to end: a started server with
 * `NOTIFICATIONS_QUEUE_URL` publishes the send intents of new appointments
 * to RabbitMQ, and `worker` processes send them to a fake Twilio served on
 * 127.0.0.1. The first worker is SIGKILLed in the middle of a batch (some
 * sends committed, others held unanswered by the fake); a second one
 * delivers the rest, each intent exactly once; a repeated intent is
 * acknowledged without a send; a provider that keeps failing sends the
 * intent to `<queue>.dead` after the configured attempts, with one manual
 * task. Worker mode shares the server's database, so this runs on
 * PostgreSQL (TEST_DATABASE_URL, else the local one); real RabbitMQ on
 * 127.0.0.1:5672 (skipped, saying why, when it does not answer); each run
 * has its own queue prefix, deleted afterwards.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  FakeTwilio,
  type ServedFakeProvider,
  serveFakeProvider,
  TWILIO_API,
} from '@clinicbridge/adapters/testing';
import { type Channel, type ChannelModel, connect } from 'amqplib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { appointmentBody, patientBody } from '../../test/helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../../test/helpers/http-server.ts';
import { testKeyEnv } from '../../test/helpers/pii-keys.ts';
import { closedPort } from '../../test/helpers/ports.ts';
import { rabbitMqAnswers, TEST_RABBITMQ_URL } from '../../test/helpers/rabbitmq.ts';
import { notificationsFeature } from './feature.ts';
import { assertNotificationQueue, queueNames } from './queues.ts';

// Worker mode needs a database two processes share: PostgreSQL, even when the other files run on PGlite.
const postgresUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A schema of its own on {@link postgresUrl}, whatever TEST_DATABASE_URL says. */
async function openPostgresDatabase(): Promise<TestDatabase> {
  const saved = process.env.TEST_DATABASE_URL;
  process.env.TEST_DATABASE_URL = postgresUrl;
  try {
    return await openTestDatabase();
  } finally {
    if (saved === undefined) delete process.env.TEST_DATABASE_URL;
    else process.env.TEST_DATABASE_URL = saved;
  }
}
const rabbitUp = await rabbitMqAnswers('worker.int.test.ts');
const appDir = fileURLToPath(new URL('../..', import.meta.url));
const prefix = `cbtest_${Math.random().toString(36).slice(2, 10)}.`;
const sms = queueNames(prefix, 'sms_notifications');
const FAILING_PHONE = '+905559990000';

/**
 * A proxy in front of the fake Twilio: answers every send to FAILING_PHONE
 * with 503; past `passLimit` sends, holds the others unanswered.
 */
class Gate {
  passLimit = Number.POSITIVE_INFINITY;
  private passed = 0;
  private waiting: Array<(answer: 'pass' | 'drop') => void> = [];
  private server: Server | undefined;

  get heldCount() {
    return this.waiting.length;
  }

  /** Holds every request from now on. */
  holdFromNow() {
    this.passLimit = this.passed;
  }

  /** Answers the held requests with 503 (their worker is gone) and lets new ones through. */
  dropHeld() {
    this.passLimit = Number.POSITIVE_INFINITY;
    for (const release of this.waiting.splice(0)) release('drop');
  }

  /** Lets the held requests and new ones through to the fake. */
  passHeld() {
    this.passLimit = Number.POSITIVE_INFINITY;
    for (const release of this.waiting.splice(0)) release('pass');
  }

  async listen(upstream: string): Promise<string> {
    const unavailable = (res: ServerResponse) => {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 20500, message: 'Service unavailable', status: 503 }));
    };
    this.server = createServer((req, res) => {
      void (async () => {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        const body = Buffer.concat(chunks);
        if (new URLSearchParams(body.toString()).get('To') === FAILING_PHONE)
          return unavailable(res);
        if (this.passed >= this.passLimit) {
          const answer = await new Promise<'pass' | 'drop'>((resolve) =>
            this.waiting.push(resolve),
          );
          if (answer === 'drop') return unavailable(res);
        }
        this.passed += 1;
        const headers = new Headers();
        for (const [name, value] of Object.entries(req.headers))
          if (typeof value === 'string' && name !== 'host' && name !== 'content-length')
            headers.set(name, value);
        const answer = await fetch(`${upstream}${req.url}`, {
          method: req.method ?? 'POST',
          headers,
          body,
        });
        res.writeHead(answer.status, {
          'content-type': answer.headers.get('content-type') ?? 'application/json',
        });
        res.end(Buffer.from(await answer.arrayBuffer()));
      })().catch(() => res.destroy());
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.dropHeld();
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

interface WorkerProcess {
  child: ChildProcess;
  lines: Array<Record<string, unknown>>;
  ready: Promise<void>;
  exited: Promise<NodeJS.Signals | number | null>;
}

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  ms = 60_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.skipIf(!rabbitUp)('notification queues and worker mode', () => {
  let database: TestDatabase;
  let running: TestServer;
  let fake: FakeTwilio;
  let gate: Gate;
  let served: ServedFakeProvider;
  let gateUrl: string;
  let amqp: ChannelModel;
  let channel: Channel;
  let worker: WorkerProcess | undefined;
  let apiKey: string;

  function spawnWorker(): WorkerProcess {
    const child = spawn(
      process.execPath,
      ['--import', './test/delivery/source-hooks.ts', 'test/notifications/worker-process.ts'],
      {
        cwd: appDir,
        env: {
          ...process.env,
          ...testKeyEnv,
          DATABASE_URL: postgresUrl,
          TEST_SCHEMA: database.schema as string,
          LOG_LEVEL: 'debug',
          WORKER_QUEUES: 'sms_notifications,email_notifications',
          NOTIFICATIONS_QUEUE_URL: TEST_RABBITMQ_URL,
          NOTIFICATIONS_QUEUE_PREFIX: prefix,
          NOTIFICATIONS_WORKER_PREFETCH: '4',
          NOTIFICATIONS_WORKER_MAX_ATTEMPTS: '3',
          NOTIFICATIONS_WORKER_RETRY_DELAY: '200ms',
          NOTIFICATIONS_WORKER_RETRY_MAX_DELAY: '1s',
          TWILIO_ACCOUNT_SID: fake.accountSid,
          TWILIO_AUTH_TOKEN: fake.authToken,
          TWILIO_FROM: '+15005550006',
          TWILIO_API_URL: gateUrl,
          SENDGRID_API_KEY: 'SG.fake',
          SENDGRID_FROM: 'clinic@example.com',
          SENDGRID_TEMPLATES: '{}',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const lines: Array<Record<string, unknown>> = [];
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const ready = new Promise<void>((resolve, reject) => {
      let buffered = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const parts = buffered.split('\n');
        buffered = parts.pop() ?? '';
        for (const part of parts) {
          if (!part.startsWith('{')) continue;
          const line = JSON.parse(part) as Record<string, unknown>;
          lines.push(line);
          if (line.msg === 'notifications worker ready') resolve();
        }
      });
      child.once('exit', (code) =>
        reject(new Error(`worker exited early (${code}): ${stderr.slice(0, 800)}`)),
      );
    });
    ready.catch(() => {});
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
      // 'close' comes after the last stdout chunk was read.
      child.once('close', (code, signal) => resolve(signal ?? code)),
    );
    return { child, lines, ready, exited };
  }

  async function post(path: string, body: unknown): Promise<string> {
    const res = await fetch(`${running.server.url}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${apiKey}`,
        'content-type': 'application/json',
        'idempotency-key': crypto.randomUUID(),
      },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as { id?: string };
    expect(res.status).toBe(201);
    return json.id ?? '';
  }

  const intentsOf = (patientId: string) =>
    database.db
      .selectFrom('notification_intents')
      .select(['id', 'status', 'provider_message_id'])
      .where('patient_id', '=', patientId)
      .execute();

  beforeAll(async () => {
    database = await openPostgresDatabase();
    fake = new FakeTwilio();
    gate = new Gate();
    served = await serveFakeProvider(TWILIO_API, fake.handlers());
    gateUrl = await gate.listen(served.url);
    amqp = await connect(TEST_RABBITMQ_URL);
    channel = await amqp.createChannel();
    // Declared here too (same arguments as the server's), so probes never meet a missing queue.
    for (const queue of ['email_notifications', 'sms_notifications', 'push_notifications'] as const)
      await assertNotificationQueue(channel, prefix, queue);
    running = await startTestServer({
      tenantCount: 1,
      database,
      features: [notificationsFeature()],
      env: {
        WEBHOOK_POLL_INTERVAL: '50ms',
        NOTIFICATIONS_QUEUE_URL: TEST_RABBITMQ_URL,
        NOTIFICATIONS_QUEUE_PREFIX: prefix,
      },
    });
    apiKey = running.tenants[0]?.apiKey ?? '';
  }, 60_000);

  afterAll(async () => {
    worker?.child.kill('SIGKILL');
    await worker?.exited;
    await running?.server.close();
    for (const queue of [
      'email_notifications',
      'sms_notifications',
      'push_notifications',
    ] as const) {
      const names = queueNames(prefix, queue);
      for (const name of [names.main, names.retry, names.dead])
        await channel?.deleteQueue(name).catch(() => undefined);
    }
    await amqp?.close().catch(() => undefined);
    await gate?.close();
    await served?.close();
    await database?.close();
  });

  test('a worker SIGKILLed mid-batch and restarted delivers every intent exactly once', async () => {
    const COUNT = 12;
    const COMMITTED_BEFORE_KILL = 5;
    const patientId = await post(
      '/api/v1/patients',
      patientBody({ consent: { messaging: true, marketing: false } }),
    );
    for (let i = 0; i < COUNT; i++) {
      const startsAt = new Date(Date.UTC(2027, 0, 4 + i, 9)).toISOString();
      const endsAt = new Date(Date.UTC(2027, 0, 4 + i, 10)).toISOString();
      await post('/api/v1/appointments', appointmentBody(patientId, { startsAt, endsAt }));
    }
    // The server published one intent per appointment, before any worker ran.
    const queued = await until('the intents recorded and on the queue', async () => {
      const { messageCount } = await channel.checkQueue(sms.main);
      const intents = await intentsOf(patientId);
      return messageCount >= COUNT && intents.length >= COUNT ? intents : undefined;
    });
    expect(queued).toHaveLength(COUNT);
    expect(queued.every((intent) => intent.status === 'queued')).toBe(true);

    // The fake answers the first sends, then holds every later one unanswered.
    gate.passLimit = COMMITTED_BEFORE_KILL;
    worker = spawnWorker();
    await worker.ready;
    await until('the first sends to commit while later ones are held', async () => {
      const sent = (await intentsOf(patientId)).filter((intent) => intent.status === 'sent');
      return sent.length >= COMMITTED_BEFORE_KILL && gate.heldCount > 0 ? true : undefined;
    });
    const sentBeforeKill = fake.sent.length;
    expect(sentBeforeKill).toBe(COMMITTED_BEFORE_KILL);
    worker.child.kill('SIGKILL');
    expect(await worker.exited).toBe('SIGKILL');
    gate.dropHeld();

    worker = spawnWorker();
    await worker.ready;
    const done = await until('every intent sent', async () => {
      const intents = await intentsOf(patientId);
      return intents.every((intent) => intent.status === 'sent') ? intents : undefined;
    });
    const forPatient = fake.sent.filter((message) => message.To === '+905551112233');
    expect(forPatient).toHaveLength(COUNT);
    expect(new Set(forPatient.map((message) => message.Body)).size).toBe(COUNT);
    expect(new Set(done.map((intent) => intent.provider_message_id))).toEqual(
      new Set(forPatient.map((message) => message.sid)),
    );

    // A repeated intent (a redelivery) is acknowledged without a second send.
    const repeated = done[0]?.id ?? '';
    const intentBody = {
      v: 1,
      intentId: repeated,
      tenantId: running.tenants[0]?.tenantId,
      eventId: 'evt_repeat',
      subjectRef: patientId,
      template: 'appointment_confirmation',
      locale: 'en',
      variables: { givenName: 'Ada', startsAt: '2027-01-04T09:00:00.000Z' },
      createdAt: new Date().toISOString(),
      queue: 'sms_notifications',
      to: { phone: '+905551112233' },
    };
    channel.sendToQueue(sms.main, Buffer.from(JSON.stringify(intentBody)), {
      persistent: true,
      messageId: repeated,
    });
    await until('the repeat to be handled', async () =>
      worker?.lines.some((l) => l.intentId === repeated && l.outcome === 'repeat')
        ? true
        : undefined,
    );
    expect(fake.sent.filter((m) => m.To === '+905551112233')).toHaveLength(COUNT);
  }, 180_000);

  test('a provider that keeps failing dead-letters the intent after the last attempt, with one manual task', async () => {
    if (!worker) throw new Error('the first test starts the worker');
    const patientId = await post(
      '/api/v1/patients',
      patientBody({
        phone: FAILING_PHONE,
        externalRef: 'EHR-2',
        consent: { messaging: true, marketing: false },
      }),
    );
    await post('/api/v1/appointments', appointmentBody(patientId));
    const [intent] = await until('the intent', async () => {
      const intents = await intentsOf(patientId);
      return intents.length === 1 ? intents : undefined;
    });
    const dead = await until(
      'the dead-lettered intent',
      async () => {
        const got = await channel.get(sms.dead, { noAck: false });
        if (!got) return undefined;
        channel.ack(got);
        return got;
      },
      120_000,
    );
    expect(dead.properties.messageId).toBe(intent?.id);
    expect(dead.properties.headers?.['x-attempt']).toBe(3);
    expect(String(dead.properties.headers?.['x-reason'])).toContain('sms:provider_unavailable');
    // The worker's log lines reach this process through a pipe: wait for the third.
    const attempts = await until('the log line of each attempt', async () => {
      const handled = worker?.lines.filter(
        (l) => l.intentId === intent?.id && l.msg === 'notifications worker: intent handled',
      );
      return handled && handled.length >= 3 ? handled : undefined;
    });
    expect(attempts.map((l) => l.outcome)).toEqual(['retry', 'retry', 'exhausted']);
    expect(fake.sent.some((m) => m.To === FAILING_PHONE)).toBe(false);
    const tasks = await database.db
      .selectFrom('manual_tasks')
      .selectAll()
      .where('subject_ref', '=', patientId)
      .execute();
    expect(tasks).toHaveLength(1);
    const row = await database.db
      .selectFrom('notification_intents')
      .select('status')
      .where('id', '=', intent?.id ?? '')
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('failed');
  }, 180_000);

  test('an intent the server never recorded is never sent: dead-lettered after the attempts', async () => {
    if (!worker) throw new Error('the first test starts the worker');
    const intentId = `ntf_${'f'.repeat(32)}`;
    const orphan = {
      v: 1,
      intentId,
      tenantId: running.tenants[0]?.tenantId,
      eventId: 'evt_rolled_back',
      subjectRef: 'pat_unknown',
      template: 'appointment_confirmation',
      locale: 'en',
      variables: { givenName: 'Ada' },
      createdAt: new Date().toISOString(),
      queue: 'sms_notifications',
      to: { phone: '+905551110000' },
    };
    channel.sendToQueue(sms.main, Buffer.from(JSON.stringify(orphan)), {
      persistent: true,
      messageId: intentId,
    });
    const dead = await until(
      'the orphan dead-lettered',
      async () => {
        const got = await channel.get(sms.dead, { noAck: false });
        if (!got) return undefined;
        channel.ack(got);
        return got;
      },
      120_000,
    );
    expect(dead.properties.messageId).toBe(intentId);
    expect(String(dead.properties.headers?.['x-reason'])).toContain('not recorded');
    expect(fake.sent.some((m) => m.To === '+905551110000')).toBe(false);
  }, 180_000);

  test('with the broker down the event is retried and no intent is recorded until a publish succeeds', async () => {
    // A database of its own: the other server's scheduler would publish this event.
    const other = await openPostgresDatabase();
    const down = await startTestServer({
      tenantCount: 1,
      database: other,
      features: [notificationsFeature()],
      env: {
        WEBHOOK_POLL_INTERVAL: '50ms',
        NOTIFICATIONS_QUEUE_URL: `amqp://guest:guest@127.0.0.1:${await closedPort()}`,
        NOTIFICATIONS_QUEUE_PREFIX: prefix,
        NOTIFICATIONS_QUEUE_TIMEOUT: '1s',
      },
    });
    try {
      const key = down.tenants[0]?.apiKey ?? '';
      const res = await fetch(`${down.server.url}/api/v1/patients`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(
          patientBody({ externalRef: 'EHR-3', consent: { messaging: true, marketing: false } }),
        ),
      });
      const patientId = ((await res.json()) as { id: string }).id;
      const created = await fetch(`${down.server.url}/api/v1/appointments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(appointmentBody(patientId)),
      });
      expect(created.status).toBe(201);
      const failed = await until('a failed handling of the event', async () => {
        const row = await other.db
          .selectFrom('subscriber_inbox')
          .innerJoin('events', 'events.id', 'subscriber_inbox.event_id')
          .select([
            'subscriber_inbox.attempts',
            'subscriber_inbox.last_error',
            'subscriber_inbox.status',
          ])
          .where('subscriber_inbox.subscriber', '=', 'notifications')
          .where('events.tenant_id', '=', down.tenants[0]?.tenantId ?? '')
          .where('events.type', '=', 'appointment.created')
          .where('subscriber_inbox.attempts', '>', 0)
          .executeTakeFirst();
        return row ?? undefined;
      });
      expect(failed.status).toBe('pending');
      expect(failed.last_error).toContain('RabbitMQ');
      const intents = await other.db
        .selectFrom('notification_intents')
        .select('id')
        .where('patient_id', '=', patientId)
        .execute();
      expect(intents).toEqual([]);
    } finally {
      await down.server.close();
      await other.close();
    }
  }, 120_000);

  test('SIGTERM lets the sends in flight finish; the next worker sends the rest, once each', async () => {
    if (!worker) throw new Error('the first test starts the worker');
    const COUNT = 6;
    const phone = '+905551114444';
    const patientId = await post(
      '/api/v1/patients',
      patientBody({ phone, externalRef: 'EHR-4', consent: { messaging: true, marketing: false } }),
    );
    gate.holdFromNow();
    for (let i = 0; i < COUNT; i++) {
      const startsAt = new Date(Date.UTC(2027, 1, 1 + i, 9)).toISOString();
      const endsAt = new Date(Date.UTC(2027, 1, 1 + i, 10)).toISOString();
      await post('/api/v1/appointments', appointmentBody(patientId, { startsAt, endsAt }));
    }
    await until('sends held in flight', async () => (gate.heldCount > 0 ? true : undefined));
    const stopping = worker;
    stopping.child.kill('SIGTERM');
    await until('the worker to start stopping', async () =>
      stopping.lines.some((l) => l.msg === 'notifications worker stopping') ? true : undefined,
    );
    const inFlight = gate.heldCount;
    gate.passHeld();
    expect(await stopping.exited).toBe(0);
    expect(stopping.lines.some((l) => l.msg === 'notifications worker stopped')).toBe(true);
    // What was in flight was sent and committed before the exit.
    const sentAtStop = (await intentsOf(patientId)).filter((i) => i.status === 'sent');
    expect(sentAtStop.length).toBeGreaterThanOrEqual(inFlight);
    expect(fake.sent.filter((m) => m.To === phone)).toHaveLength(sentAtStop.length);

    worker = spawnWorker();
    await worker.ready;
    await until('every intent sent', async () => {
      const intents = await intentsOf(patientId);
      return intents.length === COUNT && intents.every((i) => i.status === 'sent')
        ? true
        : undefined;
    });
    expect(fake.sent.filter((m) => m.To === phone)).toHaveLength(COUNT);
    const idle = worker;
    idle.child.kill('SIGTERM');
    expect(await idle.exited).toBe(0);
    worker = undefined;
  }, 180_000);
});
