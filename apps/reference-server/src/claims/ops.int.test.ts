/**
 * The operator's re-delivery of a claim, in a real browser (Debian's
 * chromium through playwright-core) against a started server: sign in,
 * find the claim, read its history, pick an endpoint, press the button —
 * and a local receiver gets exactly the claim's events. Without credentials
 * the page is closed, and a cross-origin post is refused.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type Receiver, startReceiver } from '../../test/delivery/receiver.ts';
import { launchChromium } from '../../test/helpers/browser.ts';
import { eventFeatures } from '../../test/helpers/features.ts';
import { patientBody } from '../../test/helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../../test/helpers/http-server.ts';
import { consoleFeature } from '../console/feature.ts';
import { deliveryConfig } from '../delivery/config.ts';
import { inboundConfig } from '../inbound/config.ts';
import { claimsFeature } from './feature.ts';

const PASSWORD = 'correct horse battery staple';
let running: TestServer;
let receiver: Receiver;
let url: string;

async function api<T>(path: string, body: unknown): Promise<T> {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${running.tenants[0]?.apiKey}`,
      'content-type': 'application/json',
      'idempotency-key': crypto.randomUUID(),
    },
    body: JSON.stringify(body),
  });
  expect(res.status, path).toBeLessThan(300);
  return (await res.json()) as T;
}

beforeAll(async () => {
  receiver = await startReceiver();
  const config = {
    ...deliveryConfig.parse({ WEBHOOK_TARGET_ALLOWLIST: new URL(receiver.url).host }),
    ...inboundConfig.parse({}),
  };
  running = await startTestServer({
    tenantCount: 1,
    features: [...eventFeatures(config), claimsFeature, consoleFeature()],
    env: { WEBHOOK_POLL_INTERVAL: '50ms', OPS_USER: 'ops', OPS_PASSWORD: PASSWORD },
  });
  url = running.server.url;
}, 60_000);
afterAll(async () => {
  await running?.server.close();
  await receiver?.close();
});

test('an operator re-delivers a claim history from /ops/claims in the browser', async () => {
  const patient = await api<{ id: string }>('/api/v1/patients', patientBody());
  const invoice = await api<{ id: string }>('/api/v1/invoices', {
    patientId: patient.id,
    currency: 'EUR',
    lines: [
      { description: 'Consultation', quantity: 1, unitPrice: { amount: 9_000, currency: 'EUR' } },
    ],
  });
  const claim = await api<{ id: string }>('/api/v1/claims', {
    invoiceId: invoice.id,
    payer: { payerRef: 'payer_star', memberId: 'M-7' },
  });
  await api(`/api/v1/claims/${claim.id}/withdraw`, {});
  const endpoint = await api<{ id: string }>('/api/v1/webhook-endpoints', {
    url: `${receiver.url}/dispute`,
    eventTypes: ['webhook_endpoint.ping'],
  });

  expect((await fetch(`${url}/ops/claims`)).status).toBe(401);
  const forged = await fetch(`${url}/ops/claims/${claim.id}/redeliver`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`ops:${PASSWORD}`).toString('base64')}`,
      origin: 'https://evil.example',
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: `endpointId=${endpoint.id}`,
  });
  expect(forged.status).toBe(403);

  const browser = await launchChromium();
  try {
    const context = await browser.newContext({
      httpCredentials: { username: 'ops', password: PASSWORD },
    });
    const page = await context.newPage();
    await page.goto(`${url}/ops/claims`);
    await page.getByLabel('Claim id').fill(claim.id);
    await page.getByRole('button', { name: 'Show' }).click();
    await expect.poll(() => page.locator('tbody tr').count()).toBe(2);
    expect(await page.locator('tbody').textContent()).toMatch(
      /claim\.created[\s\S]*claim\.withdrawn/,
    );
    await page.getByLabel('Endpoint').selectOption(endpoint.id);
    await page.getByRole('button', { name: 'Re-deliver 2 events' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('delivered again');
  } finally {
    await browser.close();
  }
  await expect
    .poll(() => receiver.received.filter((r) => r.path === '/dispute').length, { timeout: 20_000 })
    .toBe(2);
  const types = receiver.received
    .filter((r) => r.path === '/dispute')
    .map((r) => (JSON.parse(r.body) as { type: string }).type)
    .sort();
  expect(types).toEqual(['claim.created', 'claim.withdrawn']);
}, 120_000); // a real browser on a shared, loaded machine
