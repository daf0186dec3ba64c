/**
 * The operator console in a real browser (Debian's chromium through
 * playwright-core) against a started server: sign in with HTTP Basic,
 * press every button on every page and read the result on the page; a
 * dead letter whose endpoint is disabled is refused in words and stays;
 * an endpoint's deliveries and attempts, the providers' breakers; a change
 * made through the API appears on an open page without reload (server-sent
 * events); a forged cross-site post gets a readable page; and at phone
 * width (375 px) nothing scrolls sideways.
 *
 * Run alone: `pnpm vitest run src/console/console.int.test.ts`. With
 * `OPS_SCREENSHOTS=1` it also writes the PNGs `docs/operators.md` shows.
 */
import { fileURLToPath } from 'node:url';
import { createPrometheusMetrics } from '@clinicbridge/adapters/prometheus';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { launchChromium } from '../../test/helpers/browser.ts';
import { startTestServer, type TestServer, tenantClient } from '../../test/helpers/http-server.ts';
import { raiseAlert } from '../alerts/raise.ts';
import { claimsFeature } from '../claims/feature.ts';
import { registerFacility } from '../hl7/facilities.ts';
import { recordReject } from '../hl7/rejects.ts';
import { DatabaseManualTaskSink } from '../manual-tasks/store.ts';
import { webhookEndpointsFeature } from '../webhook-endpoints/feature.ts';
import { consoleFeature } from './feature.ts';

const PASSWORD = 'correct horse battery staple';
const WAIT = { timeout: 30_000 };
const SCREENSHOTS = process.env.OPS_SCREENSHOTS === '1';
const IMG = (name: string) =>
  fileURLToPath(new URL(`../../../../docs/img/${name}`, import.meta.url));

let running: TestServer;
let browser: Browser;
let url: string;
let tenantId: string;
let facilityId: string;
const api = tenantClient(() => running);
const LIVE = { pollMs: 200, heartbeatMs: 500, maxConnections: 4 };

async function seed() {
  const { db } = running.server.database;
  const at = new Date(Date.now() - 2 * 3_600_000);
  await raiseAlert(db, {
    tenantId,
    kind: 'webhook_endpoint_disabled',
    message: 'Endpoint Front desk app was disabled after answering HTTP 410.',
    details: {},
    now: at,
  });
  await db
    .insertInto('inbound_webhooks')
    .values({
      id: 'inb_browser0001',
      provider: 'payments',
      provider_event_id: 'evt_p1',
      event_type: 'payment.succeeded',
      status: 'failed',
      reason: 'no invoice inv_404',
      raw_body: '{}',
      attempts: 5,
      next_attempt_at: null,
      received_at: at,
      processed_at: null,
    })
    .execute();
  const endpoint = (id: string, description: string, enabled: boolean) => ({
    id,
    tenant_id: tenantId,
    url: `https://partner.example.com/${id}`,
    description,
    event_types: JSON.stringify(['*']),
    enabled,
    disabled_reason: enabled ? null : 'endpoint answered 410 Gone',
    secret: 'whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0',
    previous_secret: null,
    previous_secret_expires_at: null,
    failing_since: null,
    created_at: at,
    updated_at: at,
  });
  await db
    .insertInto('webhook_endpoints')
    .values([
      endpoint('whep_live0001', 'Front desk app', true),
      endpoint('whep_gone0001', 'Old billing system', false),
    ])
    .execute();
  const dead = (id: string, endpointId: string) => ({
    id,
    tenant_id: tenantId,
    event_id: `evt_${id}`,
    endpoint_id: endpointId,
    event_type: 'appointment.created',
    status: 'dead' as const,
    attempt_count: 8,
    schedule_step: 8,
    next_attempt_at: null,
    last_attempt_at: at,
    lease_owner: null,
    lease_expires_at: null,
    created_at: at,
    updated_at: at,
  });
  await db
    .insertInto('deliveries')
    .values([dead('dlv_live0001', 'whep_live0001'), dead('dlv_gone0001', 'whep_gone0001')])
    .execute();
  await db
    .insertInto('delivery_attempts')
    .values(
      ['dlv_live0001', 'dlv_gone0001'].map((deliveryId) => ({
        id: `att_${deliveryId}`,
        delivery_id: deliveryId,
        tenant_id: tenantId,
        attempted_at: at,
        response_status: 410,
        latency_ms: 12,
        error: 'HTTP 410',
        response_snippet: null,
        worker: 'w1',
      })),
    )
    .execute();
  await new DatabaseManualTaskSink(db).record({
    id: 'mt_browser0001',
    kind: 'travel',
    provider: 'amadeus',
    operation: 'flights.book',
    subjectRef: 'trip_42',
    summary: 'Book TK1979 by phone',
    reason: 'circuit_open',
    details: {},
    createdAt: at.toISOString(),
  });
  // What the adapters' resilience core reports through the server's registry.
  const metrics = createPrometheusMetrics(running.server.context.metrics.registry);
  metrics.requestCompleted({
    provider: 'amadeus',
    operation: 'flights.book',
    status: 'timeout',
    durationSeconds: 10,
  });
  metrics.errorRecorded({ provider: 'amadeus', errorType: 'timeout' });
  metrics.breakerStateChanged?.({ provider: 'amadeus', state: 'open' });
  metrics.requestCompleted({
    provider: 'stripe',
    operation: 'payments.status',
    status: 'ok',
    durationSeconds: 0.2,
  });
  facilityId = await registerFacility(
    db,
    { tenantId, sendingFacility: 'CITYHOSP', allowedSources: ['127.0.0.1/32'] },
    at,
  );
  await db
    .insertInto('hl7_messages')
    .values({
      id: 'hl7_browser0001',
      tenant_id: tenantId,
      facility_id: facilityId,
      sending_application: 'ADT1',
      sending_facility: 'CITYHOSP',
      control_id: 'MSG00001',
      message_type: 'ADT',
      trigger_event: 'A01',
      version: '2.5',
      raw: 'MSH|^~\\&|ADT1|CITYHOSP|||20261122||ADT^A01|MSG00001|P|2.5',
      source_address: '127.0.0.1',
      status: 'failed',
      reason: 'unknown patient class Z',
      attempts: 3,
      received_at: at,
      processed_at: null,
    })
    .execute();
  await recordReject(db, {
    kind: 'unparseable',
    reason: 'no MSH segment',
    raw: 'hello, not HL7',
    byteLength: 14,
    sourceAddress: '10.0.0.9',
    tenantId: null,
    ackCode: null,
    header: null,
    now: at,
  });
}

beforeAll(async () => {
  running = await startTestServer({
    tenantCount: 1,
    features: [
      claimsFeature,
      // Endpoint hosts resolve to a public address without DNS (the test has no network).
      webhookEndpointsFeature({ resolve: async () => [{ address: '93.184.215.14', family: 4 }] }),
      consoleFeature({ live: LIVE }),
    ],
    // A long shutdown timeout: the last test shows event streams end without waiting for it.
    env: { OPS_USER: 'ops', OPS_PASSWORD: PASSWORD, SHUTDOWN_TIMEOUT_MS: '120000' },
  });
  url = running.server.url;
  tenantId = running.tenants[0]?.tenantId as string;
  await seed();
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await running?.server.close();
});

async function signedIn(viewport: { width: number; height: number }): Promise<Page> {
  const context = await browser.newContext({
    httpCredentials: { username: 'ops', password: PASSWORD },
    viewport,
  });
  context.setDefaultTimeout(30_000);
  return context.newPage();
}

/** Presses `button` in the table row holding `rowText`, then waits for the page that comes back. */
async function press(page: Page, rowText: string, button: string, back = /\/ops\?notice=/) {
  await page.locator('tr', { hasText: rowText }).getByRole('button', { name: button }).click();
  await page.waitForURL(back, WAIT);
}

const notice = (page: Page) => page.getByRole('status').textContent(WAIT);

test('every /ops action works when clicked, and its result shows on the page', async () => {
  const page = await signedIn({ width: 1280, height: 900 });
  await page.goto(`${url}/ops`);
  await page.getByRole('heading', { name: 'ClinicBridge operations' }).waitFor(WAIT);

  // Names instead of ids, relative times with the exact time as tooltip, one HTTP status.
  const deadRow = page.locator('tr', { hasText: 'dlv_live0001' });
  expect(await deadRow.textContent()).toContain('Clinic 1');
  expect(await deadRow.textContent()).toContain('Front desk app');
  expect(await deadRow.textContent()).toContain('2 hours ago');
  const time = deadRow.locator('time').first();
  expect(await time.getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  expect(await time.getAttribute('title')).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
  expect(await deadRow.textContent()).toContain('Answered 410 Gone');
  expect(await page.locator('body').textContent()).not.toContain('HTTP 410 · HTTP 410');
  if (SCREENSHOTS) await page.screenshot({ path: IMG('ops-desktop.png'), scale: 'css' });

  await press(page, 'Endpoint Front desk app was disabled', 'Resolve');
  expect(await notice(page)).toBe('Alert resolved.');
  expect(
    await page.locator('tr', { hasText: 'Endpoint Front desk app was disabled' }).count(),
  ).toBe(0);

  await press(page, 'inb_browser0001', 'Retry');
  expect(await notice(page)).toBe('Inbound webhook queued for processing again.');
  expect(await page.getByRole('button', { name: 'Retry' }).count()).toBe(1); // the HL7 one

  // The endpoint's own page: its deliveries, each attempt in words, and Replay there.
  await page
    .locator('tr', { hasText: 'dlv_live0001' })
    .getByRole('link', { name: 'Front desk app' })
    .click();
  await page.getByRole('heading', { name: 'Front desk app' }).waitFor(WAIT);
  const delivery = page.locator('tr', { hasText: 'dlv_live0001' });
  expect(await delivery.textContent()).toContain('gave up (dead letter)');
  expect(await delivery.locator('ol.attempts li').first().textContent()).toContain(
    'Answered 410 Gone: the receiver says this endpoint is gone for good.',
  );
  expect(await page.locator('dl').textContent()).toContain(
    'https://partner.example.com/whep_live0001',
  );
  if (SCREENSHOTS) await page.screenshot({ path: IMG('ops-endpoint.png'), scale: 'css' });
  await press(page, 'dlv_live0001', 'Replay', /\/ops\/endpoints\/whep_live0001\?notice=replayed/);
  expect(await notice(page)).toContain('Dead letter replayed');
  expect(await delivery.textContent()).toContain('waiting to be sent');
  await page.getByRole('link', { name: 'Overview' }).click();
  await page.getByRole('heading', { name: 'ClinicBridge operations' }).waitFor(WAIT);
  const deadLetters = page.locator('section', { hasText: 'Dead letters' });
  expect(await deadLetters.locator('tr', { hasText: 'dlv_live0001' }).count()).toBe(0);

  // A dead letter whose endpoint is disabled: refused in words, and it stays on the page.
  await press(page, 'dlv_gone0001', 'Replay');
  const refusal = await page.getByRole('alert').textContent(WAIT);
  expect(refusal).toContain('Not replayed: the webhook endpoint of this dead letter is disabled');
  expect(refusal).not.toContain('delivered again');
  await page
    .locator('tr', { hasText: 'dlv_gone0001' })
    .getByRole('button', { name: 'Replay' })
    .waitFor(WAIT);
  if (SCREENSHOTS) await page.screenshot({ path: IMG('ops-refused-replay.png'), scale: 'css' });

  // Manual tasks: take it, hand it back, take it again, close it.
  await page.getByRole('link', { name: '1 manual task waiting for a person' }).click();
  await page.getByRole('heading', { name: 'Manual tasks' }).waitFor(WAIT);
  const task = page.locator('tr', { hasText: 'Book TK1979 by phone' });
  expect(await task.textContent()).toContain('nobody');
  await press(page, 'Book TK1979 by phone', 'Assign to me', /\/ops\/tasks\?notice=assigned/);
  expect(await notice(page)).toBe('Manual task assigned to you.');
  expect(await task.textContent()).toContain('you');
  if (SCREENSHOTS) await page.screenshot({ path: IMG('ops-tasks.png'), scale: 'css' });
  await press(page, 'Book TK1979 by phone', 'Unassign', /\/ops\/tasks\?notice=unassigned/);
  expect(await task.textContent()).toContain('nobody');
  await press(page, 'Book TK1979 by phone', 'Mark done', /\/ops\/tasks\?notice=done/);
  expect(await notice(page)).toBe('Manual task marked done.');
  expect(await page.getByRole('button', { name: 'Mark done' }).count()).toBe(0);

  // Providers: the breaker each one's resilience core reported.
  await page.getByRole('link', { name: 'Providers' }).click();
  await page.getByRole('heading', { name: 'Providers' }).waitFor(WAIT);
  expect(await page.locator('tr', { hasText: 'amadeus' }).textContent()).toContain(
    'open (calls refused',
  );
  expect(await page.locator('tr', { hasText: 'stripe' }).textContent()).toContain('closed');
  if (SCREENSHOTS) await page.screenshot({ path: IMG('ops-providers.png'), scale: 'css' });
  await page.getByRole('link', { name: 'Overview' }).click();
  await page.getByRole('heading', { name: 'ClinicBridge operations' }).waitFor(WAIT);

  await press(page, 'hl7_browser0001', 'Retry');
  expect(await notice(page)).toBe('HL7 message queued to be applied again.');
  expect(await page.getByRole('button', { name: 'Retry' }).count()).toBe(0);

  await page.getByRole('link', { name: 'Bytes' }).click();
  await page.getByRole('heading', { name: /HL7 refusal/ }).waitFor(WAIT);
  expect(await page.locator('pre').textContent()).toBe('hello, not HL7');
  await page.getByRole('link', { name: '← operations' }).click();
  await page.getByRole('heading', { name: 'ClinicBridge operations' }).waitFor(WAIT);

  // Every action is on the record, on the page and in the table.
  const trail = page.locator('section', { hasText: 'Recent operator actions' });
  for (const action of [
    'alert.resolve',
    'inbound_webhook.retry',
    'dead_letter.replay',
    'manual_task.assign',
    'manual_task.unassign',
    'manual_task.done',
    'hl7_message.retry',
    'hl7_reject.view',
  ])
    expect(await trail.textContent()).toContain(action);
  const rows = await running.server.database.db
    .selectFrom('operator_actions')
    .select(['operator', 'action', 'outcome'])
    .execute();
  expect(rows).toHaveLength(9);
  expect(rows.every((r) => r.operator === 'ops')).toBe(true);
  expect(rows).toContainEqual({
    operator: 'ops',
    action: 'dead_letter.replay',
    outcome: 'endpoint_disabled',
  });
  const stayed = await running.server.database.db
    .selectFrom('deliveries')
    .select('status')
    .where('id', '=', 'dlv_gone0001')
    .executeTakeFirstOrThrow();
  expect(stayed.status).toBe('dead');
  await page.context().close();
}, 180_000);

test('a form posted from another site gets a readable refusal page, and nothing changes', async () => {
  const page = await signedIn({ width: 1280, height: 900 });
  await page.route('http://evil.test/**', (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<form method="post" action="${url}/ops/dead-letters/dlv_gone0001/replay"><button>Win a prize</button></form>`,
    }),
  );
  await page.goto('http://evil.test/');
  await page.getByRole('button', { name: 'Win a prize' }).click();
  await page.getByRole('heading', { name: 'Action refused' }).waitFor(WAIT);
  expect(await page.getByRole('alert').textContent()).toContain('Nothing was changed');
  expect(await page.locator('body').textContent()).not.toContain('"code"');
  await page.context().close();
}, 120_000);

test('at phone width (375 px) no page scrolls sideways', async () => {
  const page = await signedIn({ width: 375, height: 812 });
  const fits = () =>
    page.evaluate(() => {
      const root = document.scrollingElement as Element;
      return { scrollWidth: root.scrollWidth, innerWidth: window.innerWidth };
    });
  for (const path of [
    '/ops',
    '/ops?notice=endpoint_disabled',
    '/ops/endpoints',
    '/ops/endpoints/whep_gone0001',
    '/ops/tasks',
    '/ops/providers',
  ]) {
    await page.goto(`${url}${path}`);
    await page.locator('h1').waitFor(WAIT);
    const { scrollWidth, innerWidth } = await fits();
    expect(innerWidth, path).toBe(375);
    expect(scrollWidth, path).toBeLessThanOrEqual(innerWidth);
  }
  await page.goto(`${url}/ops`);
  if (SCREENSHOTS) await page.screenshot({ path: IMG('ops-phone.png'), scale: 'css' });
  await page.getByRole('link', { name: 'Bytes' }).click();
  await page.getByRole('heading', { name: /HL7 refusal/ }).waitFor(WAIT);
  const reject = await fits();
  expect(reject.scrollWidth).toBeLessThanOrEqual(reject.innerWidth);
  await page.goto(`${url}/ops/claims?claim=clm_0000000000000000`);
  await page.getByRole('heading', { name: 'Claim history' }).waitFor(WAIT);
  const claims = await fits();
  expect(claims.scrollWidth).toBeLessThanOrEqual(claims.innerWidth);
  await page.context().close();
}, 120_000);

/** Items for the phone-width test to act on, beside those the desktop test used up. */
async function seedForPhone() {
  const { db } = running.server.database;
  const at = new Date(Date.now() - 30 * 60_000);
  await raiseAlert(db, {
    tenantId,
    kind: 'inbound_webhook_failed',
    message: 'A payment webhook keeps failing.',
    details: {},
    now: at,
  });
  await db
    .insertInto('inbound_webhooks')
    .values({
      id: 'inb_phone0001',
      provider: 'payments',
      provider_event_id: 'evt_phone1',
      event_type: 'payment.failed',
      status: 'failed',
      reason: 'no invoice inv_405',
      raw_body: '{}',
      attempts: 5,
      next_attempt_at: null,
      received_at: at,
      processed_at: null,
    })
    .execute();
  await db
    .insertInto('deliveries')
    .values({
      id: 'dlv_phone0001',
      tenant_id: tenantId,
      event_id: 'evt_dlv_phone0001',
      endpoint_id: 'whep_live0001',
      event_type: 'invoice.issued',
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
  await new DatabaseManualTaskSink(db).record({
    id: 'mt_phone0001',
    kind: 'travel',
    provider: 'amadeus',
    operation: 'hotels.book',
    subjectRef: 'trip_43',
    summary: 'Book the hotel by phone',
    reason: 'circuit_open',
    details: {},
    createdAt: at.toISOString(),
  });
  await db
    .insertInto('hl7_messages')
    .values({
      id: 'hl7_phone0001',
      tenant_id: tenantId,
      facility_id: facilityId,
      sending_application: 'ADT1',
      sending_facility: 'CITYHOSP',
      control_id: 'MSG00002',
      message_type: 'ADT',
      trigger_event: 'A08',
      version: '2.5',
      raw: 'MSH|^~\\&|ADT1|CITYHOSP|||20261122||ADT^A08|MSG00002|P|2.5',
      source_address: '127.0.0.1',
      status: 'failed',
      reason: 'unknown patient class Z',
      attempts: 3,
      received_at: at,
      processed_at: null,
    })
    .execute();
}

test('at phone width (375 px), every action is clicked and its notice read, and nothing scrolls sideways', async () => {
  await seedForPhone();
  const page = await signedIn({ width: 375, height: 812 });
  const fitsWidth = async () => {
    const size = await page.evaluate(() => ({
      scrollWidth: (document.scrollingElement as Element).scrollWidth,
      innerWidth: window.innerWidth,
    }));
    expect(size.innerWidth).toBe(375);
    expect(size.scrollWidth, page.url()).toBeLessThanOrEqual(size.innerWidth);
  };
  await page.goto(`${url}/ops`);
  await page.getByRole('heading', { name: 'ClinicBridge operations' }).waitFor(WAIT);

  await press(page, 'A payment webhook keeps failing.', 'Resolve', /\/ops\?notice=resolved/);
  expect(await notice(page)).toBe('Alert resolved.');
  await fitsWidth();
  await press(page, 'inb_phone0001', 'Retry', /\/ops\?notice=retried/);
  expect(await notice(page)).toBe('Inbound webhook queued for processing again.');
  await press(page, 'hl7_phone0001', 'Retry', /\/ops\?notice=hl7retried/);
  expect(await notice(page)).toBe('HL7 message queued to be applied again.');
  await press(page, 'dlv_phone0001', 'Replay', /\/ops\?notice=replayed/);
  expect(await notice(page)).toContain('Dead letter replayed');
  await fitsWidth();

  await page.goto(`${url}/ops/endpoints/whep_gone0001`);
  await page.getByRole('heading', { name: 'Old billing system' }).waitFor(WAIT);
  await press(
    page,
    'dlv_gone0001',
    'Replay',
    /\/ops\/endpoints\/whep_gone0001\?notice=endpoint_disabled/,
  );
  expect(await page.getByRole('alert').textContent(WAIT)).toContain('Not replayed');
  await fitsWidth();

  await page.goto(`${url}/ops/tasks`);
  await page.getByRole('heading', { name: 'Manual tasks' }).waitFor(WAIT);
  await press(page, 'Book the hotel by phone', 'Assign to me', /\/ops\/tasks\?notice=assigned/);
  expect(await notice(page)).toBe('Manual task assigned to you.');
  await fitsWidth();
  await press(page, 'Book the hotel by phone', 'Unassign', /\/ops\/tasks\?notice=unassigned/);
  expect(await notice(page)).toBe('Manual task handed back: nobody has it now.');
  await press(page, 'Book the hotel by phone', 'Mark done', /\/ops\/tasks\?notice=done/);
  expect(await notice(page)).toBe('Manual task marked done.');
  await fitsWidth();

  const actions = await running.server.database.db
    .selectFrom('operator_actions')
    .select(['action', 'outcome'])
    .where('entity_id', 'like', '%phone%')
    .orderBy('occurred_at')
    .orderBy('id')
    .execute();
  expect(actions).toEqual([
    { action: 'inbound_webhook.retry', outcome: 'retried' },
    { action: 'hl7_message.retry', outcome: 'hl7retried' },
    { action: 'dead_letter.replay', outcome: 'replayed' },
    { action: 'manual_task.assign', outcome: 'assigned' },
    { action: 'manual_task.unassign', outcome: 'unassigned' },
    { action: 'manual_task.done', outcome: 'done' },
  ]);
  await page.context().close();
}, 180_000);

test('a change made through the API appears on the open page without reload', async () => {
  const page = await signedIn({ width: 1280, height: 900 });
  await page.goto(`${url}/ops/endpoints`);
  await page.getByRole('heading', { name: 'Webhook endpoints' }).waitFor(WAIT);
  await page.locator('#live[data-state="open"]').waitFor(WAIT);
  // Marks this document: a reload would lose it.
  await page.evaluate(() => {
    document.body.dataset.sameDocument = 'yes';
  });
  const created = await api.api<{ id: string }>('POST', '/api/v1/webhook-endpoints', {
    url: 'https://crm.example.com/hooks/clinic',
    eventTypes: ['appointment.created'],
    description: 'Partner CRM',
  });
  const row = page.locator('tr', { hasText: 'Partner CRM' });
  await row.waitFor(WAIT);
  expect(await row.textContent()).toContain('enabled');
  await api.api('PATCH', `/api/v1/webhook-endpoints/${created.id}`, { enabled: false });
  await page.locator('tr', { hasText: 'Partner CRM' }).getByText('disabled').waitFor(WAIT);
  expect(await page.evaluate(() => document.body.dataset.sameDocument)).toBe('yes');
  await page.context().close();
}, 120_000);

/** An open event stream of the operator's, and how to drop it (closing its connection). */
interface Stream {
  res: Response;
  drop(): void;
}

async function openStream(headers: Record<string, string>): Promise<Stream> {
  const controller = new AbortController();
  const res = await fetch(`${url}/ops/events`, { headers, signal: controller.signal });
  return { res, drop: () => controller.abort() };
}

/** Reads an event stream until `until` matches what arrived, or the stream ends (`<end>`). */
async function readEvents(res: Response, until: RegExp, deadlineMs = 30_000): Promise<string> {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  const deadline = Date.now() + deadlineMs;
  try {
    while (!until.test(text) && Date.now() < deadline) {
      const { done, value } = await reader.read();
      if (done) return `${text}<end>`;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    reader.releaseLock();
  }
  return text;
}

test('/ops/events: authenticated, heartbeats, bounded, and closed on shutdown', async () => {
  const auth = { authorization: `Basic ${Buffer.from(`ops:${PASSWORD}`).toString('base64')}` };
  const anonymous = await openStream({});
  expect(anonymous.res.status).toBe(401);
  anonymous.drop();
  const first = await openStream(auth);
  expect(first.res.status).toBe(200);
  expect(first.res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
  expect(first.res.headers.get('x-accel-buffering')).toBe('no');
  expect(await readEvents(first.res, /: heartbeat\n\n/)).toContain(': heartbeat');
  first.drop();

  // The limit: LIVE.maxConnections streams at once, the next refused. Streams of the
  // pages closed above leave when the server sees their connection close.
  const open = await pollUntil(async () => {
    const streams: Stream[] = [];
    for (let i = 0; i < LIVE.maxConnections; i++) {
      const stream = await openStream(auth);
      if (stream.res.status !== 200) {
        stream.drop();
        break;
      }
      streams.push(stream);
    }
    if (streams.length === LIVE.maxConnections) return streams;
    for (const stream of streams) stream.drop();
    return null;
  });
  const refused = await openStream(auth);
  expect(refused.res.status).toBe(503);
  expect(refused.res.headers.get('retry-after')).toBe('30');
  refused.drop();

  // A change is announced on every open stream.
  const reading = open.map((s) => readEvents(s.res, /event: change\ndata: [^\n]*alerts/));
  await raiseAlert(running.server.database.db, {
    tenantId,
    kind: 'subscriber_gave_up',
    message: 'A subscriber gave up.',
    details: {},
    now: new Date(),
  });
  for (const text of await Promise.all(reading)) expect(text).toContain('"alerts"');

  // Shutdown ends the streams still open, without waiting for the (long) shutdown timeout.
  const started = Date.now();
  const ended = Promise.all(open.map((s) => readEvents(s.res, /never/, 100_000))).then((texts) => ({
    texts,
    ms: Date.now() - started,
  }));
  await browser.close();
  const closing = running.server.close();
  const { texts, ms } = await ended;
  for (const text of texts) expect(text).toMatch(/<end>$/);
  expect(ms).toBeLessThan(60_000);
  await closing;
}, 180_000);

/** Calls `attempt` until it answers something (the streams closed above may take a moment to leave). */
async function pollUntil<T>(attempt: () => Promise<T | null>, deadlineMs = 30_000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const found = await attempt();
    if (found !== null) return found;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
