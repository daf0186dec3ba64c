/**
 * The operator console behind a TLS-terminating reverse proxy: Debian's
 * nginx with a self-signed certificate in front of a started server
 * (`TRUST_PROXY=true`, so the same-origin check reads the proxy's
 * `X-Forwarded-Proto` / `X-Forwarded-Host`). Chromium opens the https
 * address and clicks the actions as a person would; the live updates come
 * through the proxy too.
 *
 * Run alone: `pnpm vitest run src/console/console-tls.int.test.ts`.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { launchChromium } from '../../test/helpers/browser.ts';
import { startTestServer, type TestServer, tenantClient } from '../../test/helpers/http-server.ts';
import { startTlsProxy, type TlsProxy } from '../../test/helpers/tls-proxy.ts';
import { raiseAlert } from '../alerts/raise.ts';
import { DatabaseManualTaskSink } from '../manual-tasks/store.ts';
import { webhookEndpointsFeature } from '../webhook-endpoints/feature.ts';
import { consoleFeature } from './feature.ts';

const PASSWORD = 'correct horse battery staple';
const WAIT = { timeout: 30_000 };

let running: TestServer;
let proxy: TlsProxy;
let browser: Browser;
let tenantId: string;
const api = tenantClient(() => running);

beforeAll(async () => {
  running = await startTestServer({
    tenantCount: 1,
    features: [
      // Endpoint hosts resolve to a public address without DNS (the test has no network).
      webhookEndpointsFeature({ resolve: async () => [{ address: '93.184.215.14', family: 4 }] }),
      consoleFeature({ live: { pollMs: 200 } }),
    ],
    env: { OPS_USER: 'ops', OPS_PASSWORD: PASSWORD, TRUST_PROXY: 'true' },
  });
  tenantId = running.tenants[0]?.tenantId as string;
  const { db } = running.server.database;
  const at = new Date(Date.now() - 3 * 60_000);
  await raiseAlert(db, {
    tenantId,
    kind: 'webhook_endpoint_disabled',
    message: 'Endpoint Lab results was disabled after answering HTTP 410.',
    details: {},
    now: at,
  });
  await db
    .insertInto('webhook_endpoints')
    .values({
      id: 'whep_tls00001',
      tenant_id: tenantId,
      url: 'https://lab.example.com/hooks',
      description: 'Lab results',
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
    .insertInto('deliveries')
    .values({
      id: 'dlv_tls00001',
      tenant_id: tenantId,
      event_id: 'evt_tls00001',
      endpoint_id: 'whep_tls00001',
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
  await new DatabaseManualTaskSink(db).record({
    id: 'mt_tls00001',
    kind: 'travel',
    provider: 'amadeus',
    operation: 'flights.book',
    subjectRef: 'trip_7',
    summary: 'Book the return flight by phone',
    reason: 'circuit_open',
    details: {},
    createdAt: at.toISOString(),
  });
  proxy = await startTlsProxy(running.server.url);
  browser = await launchChromium();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await proxy?.close();
  await running?.server.close();
});

async function signedIn(viewport: { width: number; height: number }): Promise<Page> {
  const context = await browser.newContext({
    httpCredentials: { username: 'ops', password: PASSWORD },
    ignoreHTTPSErrors: true,
    viewport,
  });
  context.setDefaultTimeout(30_000);
  return context.newPage();
}

test('through https and nginx, every action works when clicked and live updates arrive', async () => {
  const page = await signedIn({ width: 1280, height: 900 });
  await page.goto(`${proxy.url}/ops`);
  await page.getByRole('heading', { name: 'ClinicBridge operations' }).waitFor(WAIT);
  expect(new URL(page.url()).protocol).toBe('https:');
  // Raised 3 minutes before the server started (a minute more on a slow machine).
  expect(await page.locator('tr', { hasText: 'Lab results was disabled' }).textContent()).toMatch(
    /\d+ min ago/,
  );

  await page
    .locator('tr', { hasText: 'Lab results was disabled' })
    .getByRole('button', { name: 'Resolve' })
    .click();
  await page.waitForURL(`${proxy.url}/ops?notice=resolved`, WAIT);
  expect(await page.getByRole('status').textContent()).toBe('Alert resolved.');

  await page
    .locator('tr', { hasText: 'dlv_tls00001' })
    .getByRole('button', { name: 'Replay' })
    .click();
  await page.waitForURL(`${proxy.url}/ops?notice=endpoint_disabled`, WAIT);
  const refusal = await page.getByRole('alert').textContent();
  expect(refusal).toContain('Not replayed: the webhook endpoint of this dead letter is disabled');
  expect(refusal).not.toContain('delivered again');

  await page.getByRole('link', { name: 'Manual tasks' }).click();
  await page
    .locator('tr', { hasText: 'Book the return flight' })
    .getByRole('button', { name: 'Assign to me' })
    .click();
  await page.waitForURL(`${proxy.url}/ops/tasks?notice=assigned`, WAIT);
  expect(await page.locator('tr', { hasText: 'Book the return flight' }).textContent()).toContain(
    'you',
  );
  await page
    .locator('tr', { hasText: 'Book the return flight' })
    .getByRole('button', { name: 'Mark done' })
    .click();
  await page.waitForURL(`${proxy.url}/ops/tasks?notice=done`, WAIT);

  // Live updates through the proxy: an endpoint created through the API shows up.
  await page.getByRole('link', { name: 'Webhook endpoints' }).click();
  await page.locator('#live[data-state="open"]').waitFor(WAIT);
  await api.api('POST', '/api/v1/webhook-endpoints', {
    url: 'https://pharmacy.example.com/hooks',
    eventTypes: ['appointment.created'],
    description: 'Pharmacy system',
  });
  await page.locator('tr', { hasText: 'Pharmacy system' }).waitFor(WAIT);

  const actions = await running.server.database.db
    .selectFrom('operator_actions')
    .select(['action', 'outcome'])
    .orderBy('occurred_at')
    .orderBy('id')
    .execute();
  expect(actions).toEqual([
    { action: 'alert.resolve', outcome: 'resolved' },
    { action: 'dead_letter.replay', outcome: 'endpoint_disabled' },
    { action: 'manual_task.assign', outcome: 'assigned' },
    { action: 'manual_task.done', outcome: 'done' },
  ]);
  await page.context().close();
}, 180_000);

test('through https at phone width, nothing scrolls sideways and an action is clicked', async () => {
  const page = await signedIn({ width: 375, height: 812 });
  await page.goto(`${proxy.url}/ops/endpoints/whep_tls00001`);
  await page.getByRole('heading', { name: 'Lab results' }).waitFor(WAIT);
  await page
    .locator('tr', { hasText: 'dlv_tls00001' })
    .getByRole('button', { name: 'Replay' })
    .click();
  await page.waitForURL(`${proxy.url}/ops/endpoints/whep_tls00001?notice=endpoint_disabled`, WAIT);
  expect(await page.getByRole('alert').textContent()).toContain('Not replayed');
  const size = await page.evaluate(() => ({
    scrollWidth: (document.scrollingElement as Element).scrollWidth,
    innerWidth: window.innerWidth,
  }));
  expect(size.innerWidth).toBe(375);
  expect(size.scrollWidth).toBeLessThanOrEqual(size.innerWidth);
  await page.context().close();
}, 120_000);
