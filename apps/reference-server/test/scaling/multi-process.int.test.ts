/**
 * Proof of the multi-process deployment. On PostgreSQL: three server
 * processes on one schema and one Redis, relaying to NATS JetStream and
 * RabbitMQ, take a bounded mixed load (idempotent writes, signed inbound
 * webhooks, deliveries to a receiver on 127.0.0.1 that fails about 30% of
 * attempts, insurance claims whose payer wants an OAuth2 token) while one
 * process is killed with SIGKILL twice and restarted after each kill. Then:
 * every acknowledged write is stored exactly once; every event reaches the
 * receiver and each broker at least once, with duplicates within the
 * documented bounds and removed by the consumer inbox; one credential's rate
 * limit holds across the three processes within 10%; and the payer's token
 * endpoint is asked once for the whole run (its tokens live 300 s, longer
 * than the run), though several processes call the payer.
 * On PGlite (one process by design): a second server process on the same
 * data directory refuses to start, as docs/scaling.md says.
 * NATS, RabbitMQ and Redis must answer on 127.0.0.1 for the PostgreSQL run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeTpa, serveFakeProvider, TPA_API } from '@clinicbridge/adapters/testing';
import { scopes } from '@clinicbridge/sdk/contract';
import { generateSecret, getScheme } from '@clinicbridge/webhooks';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect as connectNats } from '@nats-io/transport-node';
import { connect as connectRabbitMq } from 'amqplib';
import { afterAll, describe, expect, test } from 'vitest';
import { createTargetGuard } from '../../src/delivery/ssrf.ts';
import type { ChangeContext } from '../../src/kernel/change.ts';
import { consumeOnce } from '../../src/relay/consumer-inbox.ts';
import { createTenant } from '../../src/tenants/service.ts';
import { createIntegrationToken } from '../../src/tokens/service.ts';
import { createEndpoint } from '../../src/webhook-endpoints/service.ts';
import { type Receiver, startReceiver } from '../delivery/receiver.ts';
import { openTestDatabase, type TestDatabase, testDatabaseKind } from '../helpers/database.ts';
import { appointmentBody, invoiceBody, patientBody } from '../helpers/fixtures.ts';
import { natsAnswers, TEST_NATS_URL } from '../helpers/nats.ts';
import { rabbitMqAnswers, TEST_RABBITMQ_URL } from '../helpers/rabbitmq.ts';
import { redisAnswers, TEST_REDIS_URL } from '../helpers/redis.ts';
import { until } from '../helpers/until.ts';
import { type ServerProcess, sendToAny, spawnServerProcess } from './harness.ts';

const PROCESSES = 3;
const KILLS = 2;
const PATIENTS = 40; // each with one appointment: 80 idempotent writes
const INBOUND = 30;
const CLAIMS = 6;
const RATE_LIMIT = 60;
const CONCURRENCY = 4;
/** Documented bounds on duplicates per kill (docs/webhooks-delivery.md, docs/scaling.md). */
const DELIVERY_DUPLICATES_PER_KILL = 4 * CONCURRENCY;
const RELAY_DUPLICATES_PER_KILL = 16 * 100;

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
}, 60_000);

const began = Date.now();
/** Prints how far the proof got, so a timeout on a loaded machine says where. */
function step(what: string): void {
  console.log(`multi-process proof: ${what} after ${((Date.now() - began) / 1_000).toFixed(1)} s`);
}

async function stop(p: ServerProcess, signal: NodeJS.Signals): Promise<void> {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill(signal);
  await p.exited;
}

async function requireService(up: Promise<boolean>, name: string): Promise<void> {
  if (!(await up)) throw new Error(`the multi-process proof needs ${name} on 127.0.0.1`);
}

describe(`several server processes (${testDatabaseKind})`, () => {
  if (testDatabaseKind === 'pglite') {
    test('PGlite: a second process on the same data directory refuses to start', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'cb-multiproc-'));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      const first = spawnServerProcess({ DATA_DIR: dir });
      cleanups.push(() => stop(first, 'SIGKILL'));
      const { pid } = await first.ready;
      const second = spawnServerProcess({ DATA_DIR: dir });
      cleanups.push(() => stop(second, 'SIGKILL'));
      await expect(second.ready).rejects.toThrow(/DataDirInUseError/);
      expect(await second.exited).toBe(1);
      expect(second.stderr()).toContain(`in use by process ${pid}`);
      await stop(first, 'SIGTERM');
    }, 120_000);
    return;
  }

  test('three processes with Redis, NATS and RabbitMQ: a mixed load through two SIGKILLs', async () => {
    await requireService(natsAnswers('multi-process.int.test.ts'), 'NATS JetStream (4222)');
    await requireService(rabbitMqAnswers('multi-process.int.test.ts'), 'RabbitMQ (5672)');
    await requireService(redisAnswers('multi-process.int.test.ts'), 'Redis (6379)');
    const run = Math.random().toString(36).slice(2, 10);
    const stream = `CBTEST_MP_${run}`;
    const subjectPrefix = `cbtest_mp_${run}`;
    const exchange = `cbtest.mp.${run}`;

    const database: TestDatabase = await openTestDatabase();
    cleanups.push(() => database.close());
    const db = database.db;
    const load = await createTenant(db, { name: 'Multi-process clinic' });
    const payerTenant = await createTenant(db, { name: 'Claims clinic' });
    const limited = await createTenant(db, { name: 'Rate-limited clinic' });
    const change = (tenantId: string): ChangeContext => ({
      tenantId,
      actor: { type: 'operator', id: 'test' },
      requestId: null,
      now: new Date(),
    });
    const limitedKey = (
      await db.transaction().execute((trx) =>
        createIntegrationToken(trx, change(limited.tenantId), {
          name: 'Standard tier',
          scopes: [...scopes],
          tier: 'standard',
        }),
      )
    ).apiKey;

    // The flaky receiver: about 30% of attempts answer 500.
    const receiver: Receiver = await startReceiver();
    cleanups.push(() => receiver.close());
    // The receiver acts on what it answers 2xx; a 500 is a failed attempt, retried.
    const accepted: string[] = [];
    receiver.respond = (request) => {
      if (Math.random() < 0.3) return 500;
      if (request.verified) accepted.push(String(request.headers['webhook-id']));
      return 200;
    };
    const endpoint = await db
      .transaction()
      .execute((trx) =>
        createEndpoint(
          trx,
          change(load.tenantId),
          createTargetGuard({ allowlist: [new URL(receiver.url).host] }),
          { url: `${receiver.url}/hooks`, eventTypes: ['*'] },
        ),
      );
    receiver.secrets.set('/hooks', [endpoint.secret]);

    // The payer (a TPA with an OAuth2 token endpoint) on 127.0.0.1.
    const tpa = new FakeTpa({ clients: { clinic: { secret: 'tpa-secret' } } });
    tpa.enrol('M-1');
    const payer = await serveFakeProvider(new URL(TPA_API).origin, tpa.handlers());
    cleanups.push(() => payer.close());

    // A RabbitMQ queue bound to every routing key, declared before any event.
    const amqp = await connectRabbitMq(TEST_RABBITMQ_URL);
    amqp.on('error', () => undefined);
    cleanups.push(() => amqp.close());
    const channel = await amqp.createChannel();
    cleanups.push(() => channel.deleteExchange(exchange));
    await channel.assertExchange(exchange, 'topic', { durable: true });
    const { queue } = await channel.assertQueue('', { exclusive: true });
    await channel.bindQueue(queue, exchange, '#');
    const fromRabbitMq: string[] = [];
    await channel.consume(queue, (message) => {
      if (!message) return;
      fromRabbitMq.push(String(message.properties.messageId));
      channel.ack(message);
    });
    const nc = await connectNats({ servers: TEST_NATS_URL, reconnect: false });
    cleanups.push(() => nc.close());
    cleanups.push(async () => (await jetstreamManager(nc)).streams.delete(stream));

    /** The queues' depths, for a timeout's message. */
    const queues = async () => {
      const deliveries = await db
        .selectFrom('deliveries')
        .select(['status'])
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .groupBy('status')
        .execute();
      const queued = await db.selectFrom('event_queue').select('event_id').execute();
      const events = await db.selectFrom('events').select('id').execute();
      return `events ${events.length}, not fanned out ${queued.length}, deliveries ${JSON.stringify(deliveries)}`;
    };
    const withQueues = async (error: unknown): Promise<never> => {
      throw new Error(`${String(error)} (${await queues()})`);
    };

    const inboundSecret = generateSecret();
    const env = {
      DATABASE_URL: process.env.TEST_DATABASE_URL as string,
      TEST_SCHEMA: database.schema as string,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: `cbtest:mp:${run}:`,
      RATE_LIMIT_STANDARD_PER_MINUTE: String(RATE_LIMIT),
      RATE_LIMIT_HIGH_PER_MINUTE: '100000',
      RELAY_NATS_URL: TEST_NATS_URL,
      RELAY_NATS_STREAM: stream,
      RELAY_NATS_SUBJECT_PREFIX: subjectPrefix,
      RELAY_RABBITMQ_URL: TEST_RABBITMQ_URL,
      RELAY_RABBITMQ_EXCHANGE: exchange,
      // Short leases: a restarted process takes over a killed one's work soon.
      RELAY_LEASE: '10s',
      WEBHOOK_LEASE: '4s',
      WEBHOOK_TIMEOUT_MS: '1000',
      WEBHOOK_POLL_INTERVAL: '200ms',
      WEBHOOK_CONCURRENCY: String(CONCURRENCY),
      WEBHOOK_ENDPOINT_CONCURRENCY: String(CONCURRENCY),
      WEBHOOK_RETRY_SCHEDULE: '200ms,500ms,1s,1s,1s,1s,1s,1s,1s,1s',
      WEBHOOK_TARGET_ALLOWLIST: new URL(receiver.url).host,
      INBOUND_TRAVEL_SECRET: inboundSecret,
      CLAIMS_POLL_INTERVAL: '200ms',
      INSURANCE_FHIR_URL: `${payer.url}/fhir`,
      INSURANCE_TOKEN_URL: `${payer.url}/fhir/auth/token`,
      INSURANCE_CLIENT_ID: 'clinic',
      INSURANCE_CLIENT_SECRET: 'tpa-secret',
      INSURANCE_PROVIDER_REF: 'clinic_42',
    };
    const processes: ServerProcess[] = Array.from({ length: PROCESSES }, () =>
      spawnServerProcess(env),
    );
    cleanups.push(() => Promise.all(processes.map((p) => stop(p, 'SIGKILL'))));
    const urls = (await Promise.all(processes.map((p) => p.ready))).map((r) => r.url);
    step('three processes ready');

    const send = (apiKey: string, start: number, method: string, path: string, body?: unknown) =>
      sendToAny(() => urls, start, path, {
        method,
        headers: {
          authorization: `Bearer ${apiKey}`,
          'content-type': 'application/json',
          ...(method === 'GET' ? {} : { 'idempotency-key': crypto.randomUUID() }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const created = async (answer: Promise<{ status: number; body: Record<string, unknown> }>) => {
      const { status, body } = await answer;
      if (status !== 201 && status !== 200 && status !== 202)
        throw new Error(`${status} ${JSON.stringify(body)}`);
      return String(body.id);
    };

    // Claims, one per process in turn: the payer's token is fetched once for all.
    for (let i = 0; i < CLAIMS; i++) {
      const key = payerTenant.apiKey;
      const patientId = await created(send(key, i, 'POST', '/api/v1/patients', patientBody()));
      const invoiceId = await created(
        send(key, i, 'POST', '/api/v1/invoices', invoiceBody(patientId)),
      );
      const claimId = await created(
        send(key, i, 'POST', '/api/v1/claims', {
          invoiceId,
          payer: { payerRef: 'payer_star', memberId: 'M-1' },
          diagnoses: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'K08.1' }],
        }),
      );
      await created(send(key, i, 'POST', `/api/v1/claims/${claimId}/submit`, {}));
    }
    await until(
      async () => {
        const rows = await db
          .selectFrom('claims')
          .select(['status'])
          .where('tenant_id', '=', payerTenant.tenantId)
          .execute();
        return rows.length === CLAIMS && rows.every((r) => r.status === 'approved');
      },
      'every claim approved by the payer',
      60_000,
    );
    const callers = await Promise.all(
      urls.map(async (url) => {
        const metrics = await (await fetch(`${url}/metrics`)).text();
        return metrics
          .split('\n')
          .filter(
            (line) => line.startsWith('integration_requests_total{') && line.includes('insurance'),
          )
          .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
      }),
    );
    expect(callers.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);
    expect(tpa.fhir.tokenRequests).toBe(1);
    step('claims approved');

    // One credential, three processes in turn: its limit holds together, within 10%.
    const started = Date.now();
    const statuses: number[][] = urls.map(() => []);
    for (let i = 0; i < 2 * RATE_LIMIT; i++) {
      const res = await fetch(`${urls[i % PROCESSES]}/api/v1/patients`, {
        headers: { authorization: `Bearer ${limitedKey}` },
      });
      await res.arrayBuffer();
      statuses[i % PROCESSES]?.push(res.status);
    }
    const refilled = ((Date.now() - started) / 60_000) * RATE_LIMIT;
    const allowed = statuses.flat().filter((s) => s === 200).length;
    expect(statuses.flat().every((s) => s === 200 || s === 429)).toBe(true);
    expect(allowed).toBeGreaterThanOrEqual(RATE_LIMIT);
    expect(allowed).toBeLessThanOrEqual(Math.ceil(RATE_LIMIT * 1.1 + refilled));
    for (const perProcess of statuses) expect(perProcess).toContain(429);

    // The mixed load, CONCURRENCY requests at a time, each retried on another process until acknowledged.
    const patients: string[] = [];
    const appointments: string[] = [];
    const inbound: string[] = [];
    let acknowledged = 0;
    const operations: (() => Promise<void>)[] = [];
    for (let i = 0; i < PATIENTS; i++) {
      operations.push(async () => {
        const patientId = await created(
          send(load.apiKey, i, 'POST', '/api/v1/patients', patientBody()),
        );
        patients.push(patientId);
        acknowledged += 1;
        appointments.push(
          await created(
            send(load.apiKey, i + 1, 'POST', '/api/v1/appointments', appointmentBody(patientId)),
          ),
        );
        acknowledged += 1;
      });
      if (i < INBOUND) {
        operations.push(async () => {
          const id = `msg_mp_${run}_${i}`;
          const body = JSON.stringify({
            type: 'flight.changed',
            tenantId: load.tenantId,
            entityType: 'booking',
            entityId: `bk-${i}`,
            data: {
              bookingId: `bk-${i}`,
              flightNumber: `TK${1000 + i}`,
              reasonCode: 'schedule_change',
            },
          });
          const headers = getScheme('standard').signSync({
            id,
            payload: body,
            secret: inboundSecret,
          });
          const answer = await sendToAny(() => urls, i, '/webhooks/travel', {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...headers },
            body,
          });
          if (answer.status !== 202 && answer.status !== 200)
            throw new Error(`inbound ${answer.status} ${JSON.stringify(answer.body)}`);
          inbound.push(id);
          acknowledged += 1;
        });
      }
    }
    step('rate limit checked');
    const total = 2 * PATIENTS + INBOUND;
    // In three slices: one process is killed in the middle of each of the
    // first two (half of the slice acknowledged), and restarted once the
    // slice is done on the other processes.
    const runSlice = async (slice: (() => Promise<void>)[], midway?: () => Promise<void>) => {
      const pending = [...slice];
      let done = 0;
      const workers = Array.from({ length: CONCURRENCY }, async () => {
        for (let op = pending.shift(); op; op = pending.shift()) {
          await op();
          done += 1;
        }
      });
      if (midway) {
        await until(() => done >= slice.length / 2, 'half of the slice acknowledged', 60_000);
        await midway();
      }
      await Promise.all(workers);
    };
    const victim = 1;
    const third = Math.ceil(operations.length / 3);
    for (let kill = 1; kill <= KILLS + 1; kill++) {
      const slice = operations.slice((kill - 1) * third, kill * third);
      if (kill > KILLS) {
        await runSlice(slice);
        break;
      }
      await runSlice(slice, () => stop(processes[victim] as ServerProcess, 'SIGKILL'));
      const restarted = spawnServerProcess(env);
      processes[victim] = restarted;
      urls[victim] = (await restarted.ready).url;
      step(
        `kill ${kill} done (${receiver.received.length} delivery attempts so far), process restarted`,
      );
    }
    step('load acknowledged');
    expect(acknowledged).toBe(total);

    // Everything recorded: inbound webhooks processed, every event fanned out.
    await until(
      async () => {
        const rows = await db.selectFrom('inbound_webhooks').select(['status', 'reason']).execute();
        const failed = rows.find((r) => r.status === 'failed');
        if (failed) throw new Error(`an inbound webhook failed: ${failed.reason}`);
        const queued = await db.selectFrom('event_queue').select('event_id').execute();
        return rows.every((r) => r.status === 'processed') && queued.length === 0;
      },
      'inbound webhooks processed and events fanned out',
      60_000,
    ).catch(withQueues);
    step('inbound processed, events fanned out');
    const events = await db.selectFrom('events').select(['id', 'tenant_id']).execute();
    const allIds = new Set(events.map((e) => e.id));
    const loadIds = new Set(events.filter((e) => e.tenant_id === load.tenantId).map((e) => e.id));

    // Every acknowledged write stored exactly once.
    const storedPatients = await db
      .selectFrom('patients')
      .select('id')
      .where('tenant_id', '=', load.tenantId)
      .execute();
    expect(new Set(storedPatients.map((r) => r.id))).toEqual(new Set(patients));
    expect(storedPatients).toHaveLength(PATIENTS);
    const storedAppointments = await db
      .selectFrom('appointments')
      .select('id')
      .where('tenant_id', '=', load.tenantId)
      .execute();
    expect(new Set(storedAppointments.map((r) => r.id))).toEqual(new Set(appointments));
    expect(storedAppointments).toHaveLength(PATIENTS);
    const storedInbound = await db
      .selectFrom('inbound_webhooks')
      .select('provider_event_id')
      .where('provider', '=', 'travel')
      .execute();
    expect(storedInbound.map((r) => r.provider_event_id).sort()).toEqual([...inbound].sort());
    // appointment.created and the inbound flight.changed, at least.
    expect(loadIds.size).toBeGreaterThanOrEqual(PATIENTS + INBOUND);

    // Every event at the receiver and on each broker, at least once.
    const delivered = () => accepted;
    await until(
      () => {
        const seen = new Set(delivered());
        return [...loadIds].every((id) => seen.has(id));
      },
      'every event delivered',
      90_000,
    ).catch(withQueues);
    await until(
      () => {
        const seen = new Set(fromRabbitMq);
        return [...allIds].every((id) => seen.has(id));
      },
      'every event on RabbitMQ',
      60_000,
    );
    step('every event delivered and on RabbitMQ');
    const jsm = await jetstreamManager(nc);
    await until(
      async () => (await jsm.streams.info(stream)).state.messages >= allIds.size,
      'every event on the JetStream stream',
      60_000,
    );
    const fromNats: string[] = [];
    const consumer = await jetstream(nc).consumers.get(stream);
    const batch = await consumer.fetch({
      max_messages: allIds.size + RELAY_DUPLICATES_PER_KILL,
      expires: 2_000,
    });
    for await (const message of batch) fromNats.push(message.headers?.get('Nats-Msg-Id') ?? '');

    const received = delivered().filter((id) => loadIds.has(id));
    expect(new Set(received)).toEqual(loadIds);
    expect(receiver.received.every((r) => r.verified)).toBe(true);
    expect(received.length - loadIds.size).toBeLessThanOrEqual(
      KILLS * DELIVERY_DUPLICATES_PER_KILL,
    );
    const rabbit = fromRabbitMq.filter((id) => allIds.has(id));
    expect(new Set(rabbit)).toEqual(allIds);
    expect(rabbit.length - allIds.size).toBeLessThanOrEqual(KILLS * RELAY_DUPLICATES_PER_KILL);
    // JetStream drops a repeat inside its duplicate window (2 minutes): each event is stored once.
    const nats = fromNats.filter((id) => allIds.has(id));
    expect(new Set(nats)).toEqual(allIds);
    expect(nats).toHaveLength(allIds.size);

    // The consumer inbox applies each event once per consumer, however often it arrived.
    for (const [consumerName, ids] of [
      ['webhook', received],
      ['rabbitmq', rabbit],
      ['nats', nats],
    ] as const) {
      const applied = new Map<string, number>();
      let skipped = 0;
      for (const eventId of ids) {
        const ran = await consumeOnce(db, { consumer: consumerName, eventId }, async () => {
          applied.set(eventId, (applied.get(eventId) ?? 0) + 1);
        });
        if (!ran) skipped += 1;
      }
      expect(new Set(applied.keys())).toEqual(new Set(ids));
      expect([...applied.values()].every((n) => n === 1)).toBe(true);
      expect(skipped).toBe(ids.length - new Set(ids).size);
    }

    step(
      `${allIds.size} events; duplicates: receiver ${received.length - loadIds.size}, RabbitMQ ${rabbit.length - allIds.size}, JetStream ${nats.length - allIds.size}`,
    );

    // After two kills and restarts, still one token request for the whole run.
    expect(tpa.fhir.tokenRequests).toBe(1);
    // Each step waits on its own condition with its own bound; the whole proof's bound leaves room for a
    // heavily loaded machine (seen: 75 s for three processes to start and 162 s to reach the rate limit step).
  }, 480_000);
});
