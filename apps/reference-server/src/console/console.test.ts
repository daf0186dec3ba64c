/**
 * The operator pages through the app: closed without a password, refused
 * without credentials, each kind of trouble listed, each action working (and
 * refused cross-origin), and hostile strings rendered inert.
 */
import { getRequestListener } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { builtOnce } from '../../test/helpers/adapter-response.ts';
import { startTestApp, type TestApp } from '../../test/helpers/app.ts';
import { raiseAlert } from '../alerts/raise.ts';
import { assignManualTask, DatabaseManualTaskSink } from '../manual-tasks/store.ts';
import { changedTopics, databaseFingerprint } from './changes.ts';
import { operatorConfig } from './config.ts';
import { consoleFeature } from './feature.ts';

const PASSWORD = 'correct horse battery staple';
const HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>';
const ORIGIN = 'http://localhost';
const auth = (user = 'ops', password = PASSWORD) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

let t: TestApp;
let woken = 0;
let tenantId: string;
const at = new Date('2026-11-22T08:00:00.000Z');

async function seed() {
  const { db } = t.database;
  await raiseAlert(db, {
    tenantId,
    kind: 'webhook_endpoint_disabled',
    message: `endpoint disabled: ${HOSTILE}`,
    details: {},
    now: at,
  });
  await db
    .insertInto('inbound_webhooks')
    .values([
      {
        id: 'inb_failed0001',
        provider: 'payments',
        provider_event_id: 'evt_p1',
        event_type: 'payment.succeeded',
        status: 'failed',
        reason: `no invoice ${HOSTILE}`,
        raw_body: '{"patientName":"Ada Lovelace"}',
        attempts: 5,
        next_attempt_at: null,
        received_at: at,
        processed_at: null,
      },
      {
        id: 'inb_unparse001',
        provider: 'visa',
        provider_event_id: 'evt_v1',
        event_type: null,
        status: 'unparseable',
        reason: 'body is not JSON',
        raw_body: 'not json',
        attempts: 0,
        next_attempt_at: null,
        received_at: at,
        processed_at: null,
      },
    ])
    .execute();
  await db
    .insertInto('webhook_endpoints')
    .values({
      id: 'whep_gone0001',
      tenant_id: tenantId,
      url: 'https://secret-token@partner.example.com/hook?key=s3cr3t',
      description: null,
      event_types: JSON.stringify(['*']),
      enabled: false,
      disabled_reason: 'endpoint answered 410 Gone',
      secret: 'whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0',
      previous_secret: null,
      previous_secret_expires_at: null,
      failing_since: null,
      created_at: at,
      updated_at: at,
    })
    .execute();
  await db
    .insertInto('webhook_endpoints')
    .values({
      id: 'whep_live0001',
      tenant_id: tenantId,
      url: 'https://partner.example.com/live',
      description: 'Front desk app',
      event_types: JSON.stringify(['*']),
      enabled: true,
      disabled_reason: null,
      secret: 'whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0',
      previous_secret: null,
      previous_secret_expires_at: null,
      failing_since: null,
      created_at: at,
      updated_at: at,
    })
    .execute();
  await db
    .insertInto('deliveries')
    .values({
      id: 'dlv_dead0002',
      tenant_id: tenantId,
      event_id: 'evt_dead0002',
      endpoint_id: 'whep_live0001',
      event_type: 'appointment.created',
      status: 'dead',
      attempt_count: 8,
      schedule_step: 8,
      next_attempt_at: null,
      last_attempt_at: at,
      lease_owner: null,
      lease_expires_at: null,
      created_at: at,
      updated_at: at,
    })
    .execute();
  await db
    .insertInto('delivery_attempts')
    .values({
      id: 'att_0002',
      delivery_id: 'dlv_dead0002',
      tenant_id: tenantId,
      attempted_at: at,
      response_status: 410,
      latency_ms: 12,
      error: 'HTTP 410',
      response_snippet: null,
      worker: 'w1',
    })
    .execute();
  await db
    .insertInto('deliveries')
    .values({
      id: 'dlv_dead0001',
      tenant_id: tenantId,
      event_id: 'evt_dead0001',
      endpoint_id: 'whep_gone0001',
      event_type: 'appointment.created',
      status: 'dead',
      attempt_count: 8,
      schedule_step: 8,
      next_attempt_at: null,
      last_attempt_at: at,
      lease_owner: null,
      lease_expires_at: null,
      created_at: at,
      updated_at: at,
    })
    .execute();
  await db
    .insertInto('delivery_attempts')
    .values({
      id: 'att_0001',
      delivery_id: 'dlv_dead0001',
      tenant_id: tenantId,
      attempted_at: at,
      response_status: 500,
      latency_ms: 12,
      error: null,
      response_snippet: 'patient Ada Lovelace',
      worker: 'w1',
    })
    .execute();
  const sink = new DatabaseManualTaskSink(db);
  const task = {
    id: 'mt_flight0001',
    kind: 'travel' as const,
    provider: 'amadeus',
    operation: 'flights.book',
    subjectRef: 'trip_42',
    summary: `Travel Desk: book TK1979 ${HOSTILE}`,
    reason: 'circuit_open',
    details: { passport: 'U12345678' },
    createdAt: at.toISOString(),
  };
  await sink.record(task);
  await sink.record(task); // an adapter retrying its record does not duplicate the task
}

beforeAll(async () => {
  t = await startTestApp({
    tenantCount: 1,
    deps: {
      features: [
        consoleFeature({
          config: operatorConfig.parse({ OPS_PASSWORD: PASSWORD }),
          wake: () => woken++,
        }),
      ],
    },
  });
  tenantId = t.tenants[0]?.tenantId as string;
  await seed();
}, 60_000); // a fresh database with every migration: slow on a loaded machine
afterAll(() => t?.close());

const page = (path = '/ops') => t.app.request(path, { headers: { authorization: auth() } });
const post = (path: string, headers: Record<string, string> = { origin: ORIGIN }, body = '') =>
  t.app.request(path, {
    method: 'POST',
    headers: {
      authorization: auth(),
      'content-type': 'application/x-www-form-urlencoded',
      ...headers,
    },
    body,
  });

describe('access', () => {
  test('without credentials, or with wrong ones, the page is refused with a Basic challenge', async () => {
    for (const headers of [
      {},
      { authorization: auth('ops', 'wrong password!!') },
      { authorization: auth('root') },
    ]) {
      const res = await t.app.request('/ops', { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
      expect(await res.text()).not.toContain('dlv_dead0001');
    }
    const action = await t.app.request('/ops/dead-letters/dlv_dead0001/replay', { method: 'POST' });
    expect(action.status).toBe(401);
    const browser = await t.app.request('/ops', { headers: { accept: 'text/html,*/*' } });
    expect(browser.status).toBe(401);
    expect(browser.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    expect(browser.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await browser.text()).toContain('Sign in required');
  });

  test('without a configured password the pages are closed', async () => {
    const closed = await startTestApp({
      tenantCount: 0,
      deps: { features: [consoleFeature({ config: operatorConfig.parse({}) })] },
    });
    try {
      const res = await closed.app.request('/ops', { headers: { authorization: auth() } });
      expect(res.status).toBe(503);
      expect(((await res.json()) as { code: string }).code).toBe('service_unavailable');
    } finally {
      await closed.close();
    }
  }, 60_000); // it opens a second database: slow on a loaded machine

  test('a cross-origin form post is refused with a readable page and changes nothing', async () => {
    const res = await post('/ops/alerts/whatever/resolve', { origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toContain('came from another site');
    const nullOrigin = await post('/ops/alerts/whatever/resolve', { origin: 'null' });
    expect(nullOrigin.status).toBe(403);
    expect(await nullOrigin.text()).toContain('did not say which page sent this action');
    const missing = await post('/ops/dead-letters/dlv_dead0001/replay', {});
    expect(missing.status).toBe(403);
    const row = await t.database.db
      .selectFrom('deliveries')
      .select('status')
      .where('id', '=', 'dlv_dead0001')
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('dead');
  });
});

describe('content', () => {
  test("an endpoint's page lists its deliveries with each attempt in words; an unknown one is a readable 404", async () => {
    const { db } = t.database;
    const now = Date.now();
    await db
      .insertInto('deliveries')
      .values({
        id: 'dlv_retry0001',
        tenant_id: tenantId,
        event_id: 'evt_retry0001',
        endpoint_id: 'whep_live0001',
        event_type: 'patient.updated',
        status: 'failed',
        attempt_count: 2,
        schedule_step: 2,
        next_attempt_at: new Date(now + 5 * 60_000),
        last_attempt_at: new Date(now - 60_000),
        lease_owner: null,
        lease_expires_at: null,
        created_at: new Date(now - 10 * 60_000),
        updated_at: new Date(now - 60_000),
      })
      .execute();
    await db
      .insertInto('delivery_attempts')
      .values(
        [
          { id: 'att_retry01', at: now - 10 * 60_000, status: null, error: 'connection refused' },
          { id: 'att_retry02', at: now - 60_000, status: 503, error: 'HTTP 503' },
        ].map((a) => ({
          id: a.id,
          delivery_id: 'dlv_retry0001',
          tenant_id: tenantId,
          attempted_at: new Date(a.at),
          response_status: a.status,
          latency_ms: 30,
          error: a.error,
          response_snippet: 'patient Ada Lovelace',
          worker: 'w1',
        })),
      )
      .execute();
    const res = await page('/ops/endpoints/whep_live0001');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const body = await res.text();
    expect(body).toContain('<h1>Front desk app</h1>');
    expect(body).toContain('https://partner.example.com/live');
    expect(body).toMatch(/failed, will retry; next try <time[^>]*>in [45] min<\/time>/);
    expect(body).toMatch(
      /<li><time[^>]*>(9|10) min ago<\/time>: Could not connect: nothing is listening at that address\./,
    );
    expect(body).toMatch(
      /<li><time[^>]*>(1|2) min ago<\/time>: Answered 503 Service Unavailable: it is unavailable for now\./,
    );
    expect(body).not.toContain('Ada Lovelace');
    const list = await (await page('/ops/endpoints')).text();
    expect(list).toContain('<a href="/ops/endpoints/whep_live0001"');
    const missing = await page('/ops/endpoints/whep_nope');
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('No such webhook endpoint');
  });

  test('lists alerts, inbound webhooks needing attention, dead letters and disabled endpoints', async () => {
    const res = await page();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const body = await res.text();
    for (const needle of [
      'webhook endpoint disabled',
      'inb_failed0001',
      'inb_unparse001',
      'body is not JSON',
      'dlv_dead0001',
      'Answered 500 Internal Server Error',
      'whep_gone0001',
      'endpoint answered 410 Gone',
      '/ops/dead-letters/dlv_dead0001/replay',
      '/ops/inbound/inb_failed0001/retry',
      '1 manual task waiting',
    ])
      expect(body).toContain(needle);
    const tasks = await (await page('/ops/tasks')).text();
    for (const needle of [
      'mt_flight0001',
      'trip_42',
      'circuit open',
      '/ops/manual-tasks/mt_flight0001/done',
      '/ops/manual-tasks/mt_flight0001/assign',
    ])
      expect(tasks).toContain(needle);
    // The unparseable one cannot be retried: its sender must fix it.
    expect(body).not.toContain('/ops/inbound/inb_unparse001/retry');
  });

  test('names instead of ids, relative times with the exact time as tooltip, one HTTP status', async () => {
    const body = await (await page()).text();
    expect(body).toContain('<meta name="referrer" content="same-origin">');
    expect(body).toContain(`<span title="${tenantId}">Clinic 1</span>`);
    expect(body).toContain(
      '<a href="/ops/endpoints/whep_live0001" title="https://partner.example.com/live">Front desk app</a>',
    );
    expect(body).toMatch(
      /<time datetime="2026-11-22T08:00:00.000Z" title="2026-11-22 08:00:00 UTC">[^<]*ago<\/time>/,
    );
    expect(body).toContain('Answered 410 Gone: the receiver says this endpoint is gone for good.');
    expect(body).not.toContain('HTTP 410 · HTTP 410');
    // An endpoint without a description goes by its address, without user or query.
    expect(body).toMatch(
      /title="https:\/\/partner.example.com\/hook">https:\/\/partner.example.com\/hook<\/a> <strong>\(disabled\)<\/strong>/,
    );
  });

  test('hostile strings are escaped, and no URL secret, payload or response body is shown', async () => {
    const body = [
      await (await page()).text(),
      await (await page('/ops/endpoints')).text(),
      await (await page('/ops/endpoints/whep_gone0001')).text(),
      await (await page('/ops/tasks')).text(),
    ].join('\n');
    expect(body).not.toContain('<script>alert');
    expect(body).not.toContain('<img src=x');
    expect(body).toContain('&lt;script&gt;');
    for (const leak of ['s3cr3t', 'key=', 'secret-token', 'whsec_', 'Ada Lovelace', 'U12345678'])
      expect(body).not.toContain(leak);
  });
});

describe('actions', () => {
  test('replaying a dead letter reschedules it, audits it as the operator, and wakes the dispatcher', async () => {
    const before = woken;
    const res = await post('/ops/dead-letters/dlv_dead0002/replay');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/ops?notice=replayed');
    const row = await t.database.db
      .selectFrom('deliveries')
      .select(['status', 'schedule_step'])
      .where('id', '=', 'dlv_dead0002')
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'pending', schedule_step: 0 });
    expect(woken).toBe(before + 1);
    const audit = await t.database.db
      .selectFrom('audit_events')
      .select(['actor_type', 'actor_id', 'tenant_id'])
      .where('action', '=', 'dead_letter.replayed')
      .where('entity_id', '=', 'dlv_dead0002')
      .execute();
    expect(audit).toEqual([{ actor_type: 'operator', actor_id: 'ops', tenant_id: tenantId }]);
    const again = await post('/ops/dead-letters/dlv_dead0002/replay');
    expect(again.headers.get('location')).toBe('/ops?notice=unchanged');
    expect(await (await page()).text()).not.toContain('/ops/dead-letters/dlv_dead0002/replay');
  });

  test('a dead letter whose endpoint is disabled is not replayed: it stays dead, on the page, with an error', async () => {
    const before = woken;
    const res = await post('/ops/dead-letters/dlv_dead0001/replay');
    expect(res.headers.get('location')).toBe('/ops?notice=endpoint_disabled');
    expect(woken).toBe(before);
    const row = await t.database.db
      .selectFrom('deliveries')
      .select(['status'])
      .where('id', '=', 'dlv_dead0001')
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('dead');
    const body = await (
      await t.app.request('/ops?notice=endpoint_disabled', { headers: { authorization: auth() } })
    ).text();
    expect(body).toContain('role="alert"');
    expect(body).toContain('Not replayed: the webhook endpoint of this dead letter is disabled');
    expect(body).toContain('/ops/dead-letters/dlv_dead0001/replay');
  });

  test('every action lands in the operator trail, with who, what and the outcome', async () => {
    const rows = await t.database.db
      .selectFrom('operator_actions')
      .select(['operator', 'action', 'entity_id', 'outcome'])
      .orderBy('occurred_at')
      .orderBy('id')
      .execute();
    expect(rows).toEqual(
      expect.arrayContaining([
        {
          operator: 'ops',
          action: 'dead_letter.replay',
          entity_id: 'dlv_dead0002',
          outcome: 'replayed',
        },
        {
          operator: 'ops',
          action: 'dead_letter.replay',
          entity_id: 'dlv_dead0002',
          outcome: 'unchanged',
        },
        {
          operator: 'ops',
          action: 'dead_letter.replay',
          entity_id: 'dlv_dead0001',
          outcome: 'endpoint_disabled',
        },
      ]),
    );
    await expect(
      t.database.db.deleteFrom('operator_actions').execute(),
      'the trail is append-only',
    ).rejects.toThrow();
    expect(await (await page()).text()).toContain('Recent operator actions');
  });

  test('retrying a failed inbound webhook queues it again; an unparseable one is left alone', async () => {
    expect((await post('/ops/inbound/inb_failed0001/retry')).headers.get('location')).toBe(
      '/ops?notice=retried',
    );
    expect((await post('/ops/inbound/inb_unparse001/retry')).headers.get('location')).toBe(
      '/ops?notice=unchanged',
    );
    const rows = await t.database.db
      .selectFrom('inbound_webhooks')
      .select(['id', 'status'])
      .orderBy('id')
      .execute();
    expect(rows).toEqual([
      { id: 'inb_failed0001', status: 'received' },
      { id: 'inb_unparse001', status: 'unparseable' },
    ]);
  });

  test('a task is assigned to the operator who takes it and handed back; the redirect stays on the console', async () => {
    const { db } = t.database;
    const assign = await post(
      '/ops/manual-tasks/mt_flight0001/assign',
      undefined,
      'back=%2Fops%2Ftasks',
    );
    expect(assign.status).toBe(303);
    expect(assign.headers.get('location')).toBe('/ops/tasks?notice=assigned');
    const assigned = await db
      .selectFrom('manual_tasks')
      .select('assigned_to')
      .where('id', '=', 'mt_flight0001')
      .executeTakeFirstOrThrow();
    expect(assigned.assigned_to).toBe('ops');
    const tasks = await (await page('/ops/tasks')).text();
    expect(tasks).toContain('/ops/manual-tasks/mt_flight0001/unassign');
    expect((await post('/ops/manual-tasks/mt_flight0001/assign')).headers.get('location')).toBe(
      '/ops?notice=unchanged',
    );
    const evil = await post(
      '/ops/manual-tasks/mt_flight0001/unassign',
      undefined,
      'back=https%3A%2F%2Fevil.example%2F',
    );
    expect(evil.headers.get('location')).toBe('/ops?notice=unassigned');
    const back = await db
      .selectFrom('manual_tasks')
      .select('assigned_to')
      .where('id', '=', 'mt_flight0001')
      .executeTakeFirstOrThrow();
    expect(back.assigned_to).toBeNull();
  });

  test('the database sink stores a task once; marking it done records who and takes it off the page', async () => {
    const { db } = t.database;
    expect(await db.selectFrom('manual_tasks').select('id').execute()).toEqual([
      { id: 'mt_flight0001' },
    ]);
    await expect(
      new DatabaseManualTaskSink(db).record({ id: '' } as never),
      'an invalid task is refused, not stored half',
    ).rejects.toThrow();
    const res = await post('/ops/manual-tasks/mt_flight0001/done');
    expect(res.headers.get('location')).toBe('/ops?notice=done');
    const row = await db
      .selectFrom('manual_tasks')
      .select(['done_by'])
      .where('id', '=', 'mt_flight0001')
      .executeTakeFirstOrThrow();
    expect(row.done_by).toBe('ops');
    expect(await (await page('/ops/tasks')).text()).not.toContain(
      '/ops/manual-tasks/mt_flight0001/done',
    );
    expect((await post('/ops/manual-tasks/mt_flight0001/done')).headers.get('location')).toBe(
      '/ops?notice=unchanged',
    );
  });

  test('resolving an alert takes it off the page; the notice is a fixed text', async () => {
    const { id } = await t.database.db
      .selectFrom('operator_alerts')
      .select('id')
      .where('resolved_at', 'is', null)
      .executeTakeFirstOrThrow();
    const res = await post(`/ops/alerts/${id}/resolve`);
    expect(res.headers.get('location')).toBe('/ops?notice=resolved');
    const after = await (
      await t.app.request('/ops?notice=resolved', { headers: { authorization: auth() } })
    ).text();
    expect(after).toContain('Alert resolved.');
    expect(after).not.toContain(`/ops/alerts/${id}/resolve`);
    const echoed = await (
      await t.app.request(`/ops?notice=${encodeURIComponent(HOSTILE)}`, {
        headers: { authorization: auth() },
      })
    ).text();
    expect(echoed).not.toContain('&lt;script&gt;alert(&quot;x');
  });
});

test('the live feed sees a delivery changing state, a task taken, an alert raised, an endpoint changed', async () => {
  const { db } = t.database;
  const before = await databaseFingerprint(db);
  expect(changedTopics(before, await databaseFingerprint(db))).toEqual([]);
  await db
    .updateTable('deliveries')
    .set({ status: 'succeeded', updated_at: new Date() })
    .where('status', 'in', ['pending', 'failed'])
    .execute();
  const delivered = await databaseFingerprint(db);
  expect(changedTopics(before, delivered)).toEqual(['deliveries']);
  await raiseAlert(db, { tenantId, kind: 'x', message: 'x', details: {}, now: new Date() });
  await new DatabaseManualTaskSink(db).record({
    id: 'mt_live0001',
    kind: 'travel',
    provider: 'amadeus',
    operation: 'flights.book',
    subjectRef: 'trip_9',
    summary: 'Call the airline',
    reason: 'circuit_open',
    details: {},
    createdAt: new Date().toISOString(),
  });
  const raised = await databaseFingerprint(db);
  expect(changedTopics(delivered, raised)).toEqual(['alerts', 'tasks']);
  await assignManualTask(db, 'mt_live0001', 'ops', new Date(Date.now() + 1_000));
  await db
    .updateTable('webhook_endpoints')
    .set({ enabled: false, updated_at: new Date(Date.now() + 1_000) })
    .where('id', '=', 'whep_live0001')
    .execute();
  expect(changedTopics(raised, await databaseFingerprint(db))).toEqual(['endpoints', 'tasks']);
});

describe('headers', () => {
  test('every console answer is no-store with the CSP, set before the handler; pages are written as built', async () => {
    // As on a started server: the Node adapter's own Response, copied only if a middleware makes Hono copy it.
    getRequestListener(t.app.fetch);
    const res = await page();
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    // The page goes to the adapter as text (http/page.ts), written as built.
    expect(builtOnce(res)).toBe(true);
    await res.text();
    const script = await page('/ops/live.js');
    expect(script.headers.get('content-type')).toContain('text/javascript');
    expect(script.headers.get('cache-control')).toBe('no-store');
    expect(script.headers.get('content-security-policy')).toContain("default-src 'none'");
    // Written as the handler built it: not copied to add the headers afterwards.
    expect(builtOnce(script)).toBe(true);
    expect(await script.text()).toContain('EventSource');
  });
});
