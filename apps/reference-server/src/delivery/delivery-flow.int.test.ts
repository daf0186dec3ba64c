/**
 * Outbound delivery end to end against a real receiver on 127.0.0.1 and the
 * test database (PGlite, or PostgreSQL with TEST_DATABASE_URL): events
 * recorded in transactions reach the receiver signed and verifiable; a
 * flaky receiver drives retries on the schedule (checked with an injected
 * clock), dead letters, disabling and replay.
 */
import type { EventType } from '@clinicbridge/sdk/contract';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { type Receiver, startReceiver } from '../../test/delivery/receiver.ts';
import { openTestDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import type { ChangeContext } from '../audit/record.ts';
import { createEventBus, type EventBus } from '../bus/create-bus.ts';
import { recordEvent } from '../events/outbox.ts';
import { recordAttempts } from './claims.ts';
import { deliveryConfig } from './config.ts';
import {
  getDelivery,
  listDeadLetters,
  listEventDeliveries,
  replayDeadLetter,
  retryDelivery,
} from './deliveries-service.ts';
import {
  createEndpoint,
  replayEndpoint,
  rotateEndpointSecret,
  sendTestEvent,
  updateEndpoint,
} from './endpoints-service.ts';
import { createTargetGuard } from './ssrf.ts';

let database: TestDatabase;
let receiver: Receiver;
let bus: EventBus | undefined;
let clock = Date.now();
const errors: unknown[] = [];
const tenantId = 'ten_deliveryflowtenant0000001';
const guard = createTargetGuard({ allowlist: ['127.0.0.1'] });

const change = (): ChangeContext => ({
  tenantId,
  actor: { type: 'api_key', id: 'tok_test0000000000000000' },
  requestId: null,
  now: new Date(clock),
});

beforeAll(async () => {
  database = await openTestDatabase();
  await database.db
    .insertInto('tenants')
    .values({ id: tenantId, name: 'Flow clinic', created_at: new Date() })
    .execute();
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver.close();
  await database.close();
});
beforeEach(async () => {
  clock = Date.now();
  receiver.received.length = 0;
  receiver.respond = () => 200;
  await database.db.deleteFrom('webhook_endpoints').execute();
});
afterEach(async () => {
  expect(errors).toEqual([]);
  await bus?.close();
  bus = undefined;
});

async function startBus(env: Record<string, string> = {}): Promise<EventBus> {
  bus = await createEventBus({
    database,
    config: deliveryConfig.parse({
      WEBHOOK_TARGET_ALLOWLIST: '127.0.0.1',
      WEBHOOK_TIMEOUT_MS: '500',
      ...env,
    }),
    now: () => clock,
    random: () => 0.5, // midpoint of the jitter window: delays exactly as scheduled
    listen: false,
    onError: (error) => {
      errors.push(error);
    },
  });
  return bus;
}

async function newEndpoint(path: string, eventTypes: (EventType | '*')[] = ['*']) {
  const endpoint = await database.db
    .transaction()
    .execute((trx) =>
      createEndpoint(trx, change(), guard, { url: `${receiver.url}${path}`, eventTypes }),
    );
  receiver.secrets.set(path, [endpoint.secret]);
  return endpoint;
}

async function recordPings(endpointIds: string[], count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const event = await database.db.transaction().execute((trx) =>
      recordEvent(trx, {
        tenantId,
        type: 'inventory.low_stock',
        entityType: 'inventory',
        entityId: `sku-${i}`,
        data: { sku: `sku-${i}`, onHand: i, threshold: 10 },
        occurredAt: new Date(clock),
      }),
    );
    ids.push(event.id);
  }
  void endpointIds;
  return ids;
}

describe('delivery to a real receiver', () => {
  test('every event arrives once, signed, with the contract envelope and the event id as webhook-id', async () => {
    const endpoint = await newEndpoint('/all');
    await newEndpoint('/appointments-only', ['appointment.created']);
    const ids = await recordPings([endpoint.id], 30);
    const b = await startBus();
    await b.dispatcher.runUntilIdle();
    expect(receiver.received.map((r) => r.path).every((p) => p === '/all')).toBe(true);
    expect(receiver.received).toHaveLength(30);
    expect(receiver.received.every((r) => r.verified)).toBe(true);
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id']))).toEqual(new Set(ids));
    const first = JSON.parse(receiver.received[0]?.body ?? '{}') as Record<string, unknown>;
    expect(Object.keys(first).sort()).toEqual([
      'data',
      'entityId',
      'entityType',
      'id',
      'occurredAt',
      'tenantId',
      'type',
    ]);
    expect(first.tenantId).toBe(tenantId);
    const page = await listEventDeliveries(database.db, tenantId, ids[0] as string, {});
    expect(page.data).toHaveLength(1);
    expect(page.data[0]).toMatchObject({
      status: 'succeeded',
      attemptCount: 1,
      endpointId: endpoint.id,
    });
    expect(page.data[0]?.attempts?.[0]).toMatchObject({ responseStatus: 200, error: null });
  });

  test('failures are retried on the schedule, to the millisecond of the injected clock', async () => {
    await newEndpoint('/flaky');
    const attemptsByEvent = new Map<string, number>();
    receiver.respond = (r) => {
      const id = String(r.headers['webhook-id']);
      const n = (attemptsByEvent.get(id) ?? 0) + 1;
      attemptsByEvent.set(id, n);
      return n <= 2 ? 500 : 200;
    };
    const [eventId] = await recordPings([], 1);
    const b = await startBus({ WEBHOOK_RETRY_SCHEDULE: '5s,30s,1m' });
    const t0 = clock;
    await b.dispatcher.runUntilIdle();
    const [delivery] = (await listEventDeliveries(database.db, tenantId, eventId as string, {}))
      .data;
    expect(delivery).toMatchObject({
      status: 'failed',
      attemptCount: 1,
      nextAttemptAt: new Date(t0 + 5_000).toISOString(),
    });
    clock = t0 + 4_999;
    await b.dispatcher.runUntilIdle();
    expect(receiver.received).toHaveLength(1);
    clock = t0 + 5_000;
    await b.dispatcher.runUntilIdle();
    expect(receiver.received).toHaveLength(2);
    const second = await getDelivery(database.db, tenantId, delivery?.id as string);
    expect(second).toMatchObject({
      status: 'failed',
      attemptCount: 2,
      nextAttemptAt: new Date(t0 + 35_000).toISOString(),
    });
    clock = t0 + 35_000;
    await b.dispatcher.runUntilIdle();
    const done = await getDelivery(database.db, tenantId, delivery?.id as string);
    expect(done.status).toBe('succeeded');
    expect(done.attempts?.map((a) => a.responseStatus)).toEqual([500, 500, 200]);
    expect(done.attempts?.[0]?.responseSnippet).toBeNull();
    expect(receiver.received.every((r) => r.verified)).toBe(true);
    // Every attempt carries the same webhook-id, so the receiver can deduplicate.
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id']))).toEqual(
      new Set([eventId]),
    );
  });

  test('after the last attempt the delivery is dead-lettered, and replaying it delivers', async () => {
    const endpoint = await newEndpoint('/down');
    receiver.respond = () => ({ status: 503, body: 'maintenance' });
    const [eventId] = await recordPings([], 1);
    const b = await startBus({ WEBHOOK_RETRY_SCHEDULE: '1s,2s' });
    const t0 = clock;
    for (const at of [t0, t0 + 1_000, t0 + 3_000]) {
      clock = at;
      await b.dispatcher.runUntilIdle();
    }
    const dead = await listDeadLetters(database.db, tenantId, { endpointId: endpoint.id });
    expect(dead.data).toHaveLength(1);
    expect(dead.data[0]).toMatchObject({
      eventId,
      status: 'dead',
      attemptCount: 3,
      nextAttemptAt: null,
    });
    const deliveryId = dead.data[0]?.id as string;
    expect(
      (await getDelivery(database.db, tenantId, deliveryId)).attempts?.[2]?.responseSnippet,
    ).toBe('maintenance');
    receiver.respond = () => 200;
    await database.db.transaction().execute((trx) => replayDeadLetter(trx, change(), deliveryId));
    await b.dispatcher.runUntilIdle();
    expect((await getDelivery(database.db, tenantId, deliveryId)).status).toBe('succeeded');
    await expect(
      database.db.transaction().execute((trx) => replayDeadLetter(trx, change(), deliveryId)),
    ).rejects.toMatchObject({ code: 'invalid_state_transition' });
  });

  test('410 Gone disables the endpoint, emits webhook_endpoint.disabled and an alert; enabling resumes', async () => {
    const gone = await newEndpoint('/gone');
    const watcher = await newEndpoint('/watcher', ['webhook_endpoint.disabled']);
    receiver.respond = (r) => (r.path === '/gone' ? 410 : 200);
    await recordPings([], 3);
    const b = await startBus({ WEBHOOK_ENDPOINT_CONCURRENCY: '1' });
    await b.dispatcher.runUntilIdle();
    await b.dispatcher.runUntilIdle();
    const row = await database.db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('id', '=', gone.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      enabled: false,
      disabled_reason: 'the receiver answered 410 Gone',
    });
    const toGone = receiver.received.filter((r) => r.path === '/gone');
    expect(toGone).toHaveLength(1);
    const notice = receiver.received.find((r) => r.path === '/watcher');
    expect(JSON.parse(notice?.body ?? '{}')).toMatchObject({
      type: 'webhook_endpoint.disabled',
      data: { endpointId: gone.id, reason: 'the receiver answered 410 Gone' },
    });
    expect(notice?.verified).toBe(true);
    void watcher;
    const alerts = await database.db
      .selectFrom('operator_alerts')
      .selectAll()
      .where('kind', '=', 'webhook_endpoint_disabled')
      .execute();
    expect(alerts.some((a) => a.message.includes(gone.id))).toBe(true);
    // The other two deliveries wait while it is disabled, and go once it is enabled again.
    receiver.respond = () => 200;
    await database.db
      .transaction()
      .execute((trx) => updateEndpoint(trx, change(), guard, gone.id, { enabled: true }));
    await b.dispatcher.runUntilIdle();
    expect(receiver.received.filter((r) => r.path === '/gone')).toHaveLength(3);
  });

  test('an endpoint failing every attempt for the configured period is disabled', async () => {
    const endpoint = await newEndpoint('/failing');
    receiver.respond = () => 500;
    await recordPings([], 1);
    const b = await startBus({
      WEBHOOK_RETRY_SCHEDULE: '30s,30s,30s,30s,30s',
      WEBHOOK_DISABLE_AFTER: '1m',
    });
    const t0 = clock;
    for (const at of [t0, t0 + 30_000, t0 + 60_000]) {
      clock = at;
      await b.dispatcher.runUntilIdle();
    }
    const row = await database.db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('id', '=', endpoint.id)
      .executeTakeFirstOrThrow();
    expect(row.enabled).toBe(false);
    expect(row.disabled_reason).toMatch(/^every delivery attempt has failed since /);
    const events = await database.db
      .selectFrom('events')
      .selectAll()
      .where('type', '=', 'webhook_endpoint.disabled')
      .where('entity_id', '=', endpoint.id)
      .execute();
    expect(events).toHaveLength(1);
  });

  test('a receiver that never answers is cut off by the per-attempt timeout', async () => {
    await newEndpoint('/hang');
    receiver.respond = () => 'hang';
    const [eventId] = await recordPings([], 1);
    const b = await startBus({ WEBHOOK_TIMEOUT_MS: '300' });
    await b.dispatcher.runUntilIdle();
    const [delivery] = (await listEventDeliveries(database.db, tenantId, eventId as string, {}))
      .data;
    expect(delivery?.attempts?.[0]).toMatchObject({
      responseStatus: null,
      error: 'timed out after 300 ms',
    });
    expect(delivery?.status).toBe('failed');
  });

  test('rotation signs with both secrets; test pings reach only their endpoint; retry and replay resend', async () => {
    const endpoint = await newEndpoint('/rotating');
    await newEndpoint('/other');
    const rotated = await database.db
      .transaction()
      .execute((trx) => rotateEndpointSecret(trx, change(), endpoint.id));
    const oldSecret = receiver.secrets.get('/rotating')?.[0] as string;
    expect(rotated.secret).not.toBe(oldSecret);
    // A receiver holding only the old secret, and one holding only the new, both verify.
    receiver.secrets.set('/rotating', [oldSecret]);
    const { eventId } = await database.db
      .transaction()
      .execute((trx) => sendTestEvent(trx, change(), endpoint.id));
    const b = await startBus();
    await b.dispatcher.runUntilIdle();
    expect(receiver.received.map((r) => r.path)).toEqual(['/rotating']);
    expect(receiver.received[0]?.verified).toBe(true);
    receiver.secrets.set('/rotating', [rotated.secret]);
    const [delivery] = (await listEventDeliveries(database.db, tenantId, eventId, {})).data;
    await database.db
      .transaction()
      .execute((trx) => retryDelivery(trx, change(), delivery?.id as string));
    await b.dispatcher.runUntilIdle();
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[1]?.verified).toBe(true);
    expect(receiver.received[1]?.headers['webhook-signature']?.toString().split(' ')).toHaveLength(
      2,
    );
    const { scheduled } = await database.db
      .transaction()
      .execute((trx) => replayEndpoint(trx, change(), endpoint.id, new Date(clock - 60_000)));
    expect(scheduled).toBe(1);
    await b.dispatcher.runUntilIdle();
    expect(receiver.received.filter((r) => r.path === '/rotating')).toHaveLength(3);
    expect((await getDelivery(database.db, tenantId, delivery?.id as string)).attemptCount).toBe(3);
  });

  test('a chaotic receiver (random 500s, timeouts, a 410) drives retries, dead letters, disabling and replay', async () => {
    // Seeded, so a failure reproduces.
    let seed = 0x5eed;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
    };
    const chaos = await newEndpoint('/chaos');
    const leaving = await newEndpoint('/leaving');
    let healthy = false;
    let leavingCalls = 0;
    receiver.respond = (r) => {
      if (healthy) return 200;
      if (r.path === '/leaving') return ++leavingCalls > 3 ? 410 : 200;
      const roll = random();
      return roll < 0.4 ? 500 : roll < 0.5 ? 'hang' : 200;
    };
    const ids = await recordPings([], 40);
    const b = await startBus({
      WEBHOOK_RETRY_SCHEDULE: '1s,2s,4s',
      WEBHOOK_TIMEOUT_MS: '300',
      WEBHOOK_ENDPOINT_CONCURRENCY: '1',
    });
    const t0 = clock;
    for (const at of [t0, t0 + 1_000, t0 + 3_000, t0 + 7_000]) {
      clock = at;
      await b.dispatcher.runUntilIdle();
    }
    const rows = await database.db
      .selectFrom('deliveries')
      .selectAll()
      .where('endpoint_id', '=', chaos.id)
      .where('event_type', '=', 'inventory.low_stock')
      .execute();
    expect(rows).toHaveLength(40);
    expect(rows.every((d) => d.status === 'succeeded' || d.status === 'dead')).toBe(true);
    const dead = rows.filter((d) => d.status === 'dead');
    expect(dead.length).toBeGreaterThan(0);
    expect(dead.every((d) => d.attempt_count === 4)).toBe(true);
    // Every retry happened exactly when the schedule said, measured on the injected clock.
    const attempts = await database.db
      .selectFrom('delivery_attempts')
      .selectAll()
      .where(
        'delivery_id',
        'in',
        rows.map((d) => d.id),
      )
      .orderBy('attempted_at')
      .execute();
    const cumulative = [0, 1_000, 3_000, 7_000];
    for (const delivery of rows) {
      const times = attempts
        .filter((a) => a.delivery_id === delivery.id)
        .map((a) => a.attempted_at.getTime() - t0);
      expect(times).toEqual(cumulative.slice(0, times.length));
    }
    expect(attempts.some((a) => a.error === 'timed out after 300 ms')).toBe(true);
    expect(attempts.some((a) => a.response_status === 500)).toBe(true);
    const leavingRow = await database.db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('id', '=', leaving.id)
      .executeTakeFirstOrThrow();
    expect(leavingRow.enabled).toBe(false);

    // The partner recovers: the operator replays the dead letters and re-enables the endpoint.
    healthy = true;
    for (const d of dead)
      await database.db.transaction().execute((trx) => replayDeadLetter(trx, change(), d.id));
    const goneDead = await listDeadLetters(database.db, tenantId, { endpointId: leaving.id });
    for (const d of goneDead.data)
      await database.db.transaction().execute((trx) => replayDeadLetter(trx, change(), d.id));
    await database.db
      .transaction()
      .execute((trx) => updateEndpoint(trx, change(), guard, leaving.id, { enabled: true }));
    await b.dispatcher.runUntilIdle();
    for (const path of ['/chaos', '/leaving']) {
      const ok = receiver.received.filter(
        (r) => r.path === path && r.verified && ids.includes(String(r.headers['webhook-id'])),
      );
      expect(new Set(ok.map((r) => r.headers['webhook-id']))).toEqual(new Set(ids));
    }
    const left = await database.db
      .selectFrom('deliveries')
      .select('status')
      .where('status', '<>', 'succeeded')
      .where('endpoint_id', 'in', [chaos.id, leaving.id])
      .execute();
    expect(left).toEqual([]);
  });

  test('attempts of a delivery deleted while in flight are dropped without failing the batch', async () => {
    const endpoint = await newEndpoint('/deleted');
    const [eventId] = await recordPings([], 1);
    const b = await startBus();
    await b.dispatcher.runUntilIdle();
    const [delivery] = (await listEventDeliveries(database.db, tenantId, eventId as string, {}))
      .data;
    const record = (deliveryId: string) => ({
      attemptId: `att_${deliveryId.slice(4)}`,
      deliveryId,
      tenantId,
      endpointId: endpoint.id,
      attemptedAt: new Date(clock),
      responseStatus: 200,
      latencyMs: 1,
      error: null,
      snippet: null,
      status: 'succeeded' as const,
      nextAttemptAt: null,
      scheduleStep: 0,
    });
    await database.db
      .transaction()
      .execute((trx) =>
        recordAttempts(trx, 'nobody', [
          record('dlv_deletedwhileinflight0001'),
          record(delivery?.id as string),
        ]),
      );
    const attempts = await database.db
      .selectFrom('delivery_attempts')
      .select('delivery_id')
      .where('worker', '=', 'nobody')
      .execute();
    expect(attempts.map((a) => a.delivery_id)).toEqual([delivery?.id]);
  });
});
