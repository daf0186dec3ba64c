/**
 * Outbound delivery end to end against a real receiver on 127.0.0.1 and the
 * test database (PGlite, or PostgreSQL with TEST_DATABASE_URL): events
 * recorded in transactions reach the receiver signed and verifiable; a
 * flaky receiver drives retries on the schedule (checked with an injected
 * clock), dead letters, disabling and replay.
 */
import { describe, expect, test } from 'vitest';
import {
  change,
  clock,
  database,
  guard,
  newEndpoint,
  receiver,
  recordPings,
  setClock,
  setupDeliveryFlow,
  startBus,
  tenantId,
} from '../../test/delivery/flow.ts';
import {
  replayEndpoint,
  rotateEndpointSecret,
  sendTestEvent,
  updateEndpoint,
} from '../webhook-endpoints/service.ts';
import {
  getDelivery,
  listDeadLetters,
  listEventDeliveries,
  replayDeadLetter,
  retryDelivery,
} from './deliveries-service.ts';

setupDeliveryFlow();

describe('delivery to a real receiver', () => {
  test('every event arrives once, signed, with the contract envelope and the event id as webhook-id', async () => {
    const endpoint = await newEndpoint('/all');
    await newEndpoint('/appointments-only', ['appointment.created']);
    const ids = await recordPings(30);
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
    const [eventId] = await recordPings(1);
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
    setClock(t0 + 4_999);
    await b.dispatcher.runUntilIdle();
    expect(receiver.received).toHaveLength(1);
    setClock(t0 + 5_000);
    await b.dispatcher.runUntilIdle();
    expect(receiver.received).toHaveLength(2);
    const second = await getDelivery(database.db, tenantId, delivery?.id as string);
    expect(second).toMatchObject({
      status: 'failed',
      attemptCount: 2,
      nextAttemptAt: new Date(t0 + 35_000).toISOString(),
    });
    setClock(t0 + 35_000);
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
    const [eventId] = await recordPings(1);
    const b = await startBus({ WEBHOOK_RETRY_SCHEDULE: '1s,2s' });
    const t0 = clock;
    for (const at of [t0, t0 + 1_000, t0 + 3_000]) {
      setClock(at);
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
    await recordPings(3);
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
      data: { endpointId: gone.id, reasonCode: 'gone' },
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
    await recordPings(1);
    const b = await startBus({
      WEBHOOK_RETRY_SCHEDULE: '30s,30s,30s,30s,30s',
      WEBHOOK_DISABLE_AFTER: '1m',
    });
    const t0 = clock;
    for (const at of [t0, t0 + 30_000, t0 + 60_000]) {
      setClock(at);
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
    const [eventId] = await recordPings(1);
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
});
