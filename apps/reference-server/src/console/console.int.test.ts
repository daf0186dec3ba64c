/**
 * The operator console in a real browser (Debian's chromium through
 * playwright-core) against a started server: sign in with HTTP Basic,
 * press every button on `/ops` and read the result on the page; a
 * dead letter whose endpoint is disabled is refused in words and stays;
 * a forged cross-site post gets a readable page; and at phone width
 * (375 px) nothing scrolls sideways.
 *
 * Run alone: `pnpm vitest run src/console/console.int.test.ts`. With
 * `OPS_SCREENSHOTS=1` it also writes the PNGs `docs/operators.md` shows.
 */
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { launchChromium } from '../../test/helpers/browser.ts';
import { startTestServer, type TestServer } from '../../test/helpers/http-server.ts';
import { raiseAlert } from '../alerts/raise.ts';
import { claimsFeature } from '../claims/feature.ts';
import { registerFacility } from '../hl7/facilities.ts';
import { recordReject } from '../hl7/rejects.ts';
import { DatabaseManualTaskSink } from '../manual-tasks/store.ts';
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
  const facilityId = await registerFacility(
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
    features: [claimsFeature, consoleFeature()],
    env: { OPS_USER: 'ops', OPS_PASSWORD: PASSWORD },
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
async function press(page: Page, rowText: string, button: string) {
  await page.locator('tr', { hasText: rowText }).getByRole('button', { name: button }).click();
  await page.waitForURL(/\/ops\?notice=/, WAIT);
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
  expect(await deadRow.locator('time').first().getAttribute('title')).toMatch(
    /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/,
  );
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

  await press(page, 'dlv_live0001', 'Replay');
  expect(await notice(page)).toContain('Dead letter replayed');
  expect(await page.locator('tr', { hasText: 'dlv_live0001' }).getByRole('button').count()).toBe(0);

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

  await press(page, 'mt_browser0001', 'Mark done');
  expect(await notice(page)).toBe('Manual task marked done.');
  expect(await page.getByRole('button', { name: 'Mark done' }).count()).toBe(0);

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
    'manual_task.done',
    'hl7_message.retry',
    'hl7_reject.view',
  ])
    expect(await trail.textContent()).toContain(action);
  const rows = await running.server.database.db
    .selectFrom('operator_actions')
    .select(['operator', 'action', 'outcome'])
    .execute();
  expect(rows).toHaveLength(7);
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
  for (const path of ['/ops', '/ops?notice=endpoint_disabled']) {
    await page.goto(`${url}${path}`);
    await page.getByRole('heading', { name: 'ClinicBridge operations' }).waitFor(WAIT);
    const { scrollWidth, innerWidth } = await fits();
    expect(innerWidth, path).toBe(375);
    expect(scrollWidth, path).toBeLessThanOrEqual(innerWidth);
  }
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
