/**
 * The delivery operations of API v1 through the app and the pipeline, with
 * the bus running against a real receiver on 127.0.0.1: endpoint lifecycle
 * (secret shown once, SSRF refusal as problem+json), test ping, deliveries
 * with attempts, dead letters and replays, tenant isolation.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Receiver, startReceiver } from '../../test/delivery/receiver.ts';
import { call, startTestApp, type TestApp } from '../../test/helpers/app.ts';
import { eventFeatures } from '../../test/helpers/features.ts';
import type { Feature } from '../feature.ts';
import { inboundConfig } from '../inbound/config.ts';
import { createMetrics } from '../observability/metrics.ts';
import { type Scheduler, startScheduler } from '../scheduler/start.ts';
import { deliveryConfig } from './config.ts';

const busEnv = {
  WEBHOOK_RETRY_SCHEDULE: '1s',
  WEBHOOK_POLL_INTERVAL: '50ms',
  WEBHOOK_TIMEOUT_MS: '1000',
};
let features: Feature[];
let scheduler: Scheduler | undefined;
const metrics = createMetrics();
let t: TestApp;
let receiver: Receiver;
let token: string;
let otherToken: string;

beforeAll(async () => {
  receiver = await startReceiver();
  // The receiver's host and port are the SSRF guard's one exception.
  features = eventFeatures({
    ...deliveryConfig.parse({ ...busEnv, WEBHOOK_TARGET_ALLOWLIST: new URL(receiver.url).host }),
    ...inboundConfig.parse({}),
  });
  t = await startTestApp({ tenantCount: 2, deps: { features, metrics } });
  token = t.tenants[0]?.apiKey as string;
  otherToken = t.tenants[1]?.apiKey as string;
  scheduler = await startScheduler(t.context, features);
});
afterAll(async () => {
  await scheduler?.close();
  for (const feature of features) await feature.stop?.();
  await receiver.close();
  await t.close();
});

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('webhook endpoint API', () => {
  test('the endpoint list pages newest first, each endpoint once', async () => {
    // The second tenant has no endpoints yet, so the list holds exactly these three.
    const created: string[] = [];
    for (const path of ['/page-1', '/page-2', '/page-3']) {
      const res = await call(t.app, 'POST', '/api/v1/webhook-endpoints', {
        token: otherToken,
        body: { url: `${receiver.url}${path}`, eventTypes: ['*'] },
      });
      created.push((await res.json()).id);
    }
    const seen: string[] = [];
    const times: number[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=1&cursor=${cursor}` : '?limit=1';
      const page = await (
        await call(t.app, 'GET', `/api/v1/webhook-endpoints${query}`, { token: otherToken })
      ).json();
      expect(page.data).toHaveLength(1);
      seen.push(page.data[0].id);
      times.push(Date.parse(page.data[0].createdAt));
      cursor = page.nextCursor;
    } while (cursor !== null && seen.length < 10);
    expect([...seen].sort()).toEqual([...created].sort());
    expect(times).toEqual([...times].sort((a, b) => b - a));
    for (const id of created) {
      await call(t.app, 'DELETE', `/api/v1/webhook-endpoints/${id}`, { token: otherToken });
    }
  });

  test('create shows the secret once; read, list, update and rotate never show it again', async () => {
    const created = await call(t.app, 'POST', '/api/v1/webhook-endpoints', {
      token,
      body: { url: `${receiver.url}/api-a`, eventTypes: ['*'], description: 'Partner CRM' },
    });
    expect(created.status).toBe(201);
    const endpoint = await created.json();
    expect(endpoint.secret).toMatch(/^whsec_/);
    receiver.secrets.set('/api-a', [endpoint.secret]);
    const got = await (
      await call(t.app, 'GET', `/api/v1/webhook-endpoints/${endpoint.id}`, { token })
    ).json();
    expect(got).toMatchObject({ id: endpoint.id, enabled: true, description: 'Partner CRM' });
    expect(got.secret).toBeUndefined();
    const list = await (await call(t.app, 'GET', '/api/v1/webhook-endpoints', { token })).json();
    expect(list.data.map((e: { id: string }) => e.id)).toContain(endpoint.id);
    expect(JSON.stringify(list)).not.toContain('whsec_');
    const rotated = await (
      await call(t.app, 'POST', `/api/v1/webhook-endpoints/${endpoint.id}/rotate-secret`, {
        token,
        body: {},
      })
    ).json();
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(endpoint.secret);
    const other = await call(t.app, 'GET', `/api/v1/webhook-endpoints/${endpoint.id}`, {
      token: otherToken,
    });
    expect(other.status).toBe(404);
  });

  test.each([
    ['http://10.0.0.1/hooks', 'https_required'],
    ['https://[::ffff:10.0.0.1]/hooks', 'target_not_allowed'],
    ['https://[::1]/hooks', 'target_not_allowed'],
    ['https://169.254.169.254/latest', 'target_not_allowed'],
    ['http://93.184.216.34/hooks', 'https_required'],
  ])('an endpoint at %s is refused with problem+json (%s)', async (url, code) => {
    const res = await call(t.app, 'POST', '/api/v1/webhook-endpoints', {
      token,
      body: { url, eventTypes: ['*'] },
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await res.json()).toMatchObject({
      code: 'validation_failed',
      errors: [{ path: 'body.url', code }],
    });
  });

  test('test sends a ping that arrives signed; its delivery and attempts are readable', async () => {
    const endpoint = await (
      await call(t.app, 'POST', '/api/v1/webhook-endpoints', {
        token,
        body: { url: `${receiver.url}/api-ping`, eventTypes: ['appointment.created'] },
      })
    ).json();
    receiver.secrets.set('/api-ping', [endpoint.secret]);
    const res = await call(t.app, 'POST', `/api/v1/webhook-endpoints/${endpoint.id}/test`, {
      token,
      body: {},
    });
    expect(res.status).toBe(202);
    const { eventId } = await res.json();
    const received = await waitFor(async () =>
      receiver.received.find((r) => r.headers['webhook-id'] === eventId),
    );
    expect(received.verified).toBe(true);
    expect(JSON.parse(received.body)).toMatchObject({ id: eventId, type: 'webhook_endpoint.ping' });
    const page = await waitFor(async () => {
      const body = await (
        await call(t.app, 'GET', `/api/v1/events/${eventId}/deliveries`, { token })
      ).json();
      return body.data[0]?.status === 'succeeded' ? body : undefined;
    });
    expect(page.data[0]).toMatchObject({ endpointId: endpoint.id, attemptCount: 1 });
    expect(page.data[0].attempts[0]).toMatchObject({ responseStatus: 200 });
    const delivery = await (
      await call(t.app, 'GET', `/api/v1/deliveries/${page.data[0].id}`, { token })
    ).json();
    expect(delivery.attempts).toHaveLength(1);
    expect(
      (await call(t.app, 'GET', `/api/v1/deliveries/${page.data[0].id}`, { token: otherToken }))
        .status,
    ).toBe(404);
  });

  test('a dead letter is listed, replayed through the API, and delivered', async () => {
    const endpoint = await (
      await call(t.app, 'POST', '/api/v1/webhook-endpoints', {
        token,
        body: { url: `${receiver.url}/api-dead`, eventTypes: ['*'] },
      })
    ).json();
    receiver.secrets.set('/api-dead', [endpoint.secret]);
    let healthy = false;
    receiver.respond = (r) => (r.path === '/api-dead' && !healthy ? 500 : 200);
    await call(t.app, 'POST', `/api/v1/webhook-endpoints/${endpoint.id}/test`, { token, body: {} });
    const dead = await waitFor(async () => {
      const body = await (
        await call(t.app, 'GET', `/api/v1/dead-letters?endpointId=${endpoint.id}`, { token })
      ).json();
      return body.data[0];
    }, 15_000);
    expect(dead).toMatchObject({ status: 'dead', attemptCount: 2 });
    healthy = true;
    const replayed = await call(t.app, 'POST', `/api/v1/dead-letters/${dead.id}/replay`, {
      token,
      body: {},
    });
    expect(replayed.status).toBe(202);
    await waitFor(async () => {
      const d = await (await call(t.app, 'GET', `/api/v1/deliveries/${dead.id}`, { token })).json();
      return d.status === 'succeeded' ? d : undefined;
    });
    const again = await call(t.app, 'POST', `/api/v1/dead-letters/${dead.id}/replay`, {
      token,
      body: {},
    });
    expect(again.status).toBe(409);
    const replayAll = await call(t.app, 'POST', `/api/v1/webhook-endpoints/${endpoint.id}/replay`, {
      token,
      body: { since: new Date(Date.now() - 60_000).toISOString() },
    });
    expect(await replayAll.json()).toEqual({ scheduled: 1 });
    const metrics = await (await t.app.request('/metrics')).text();
    expect(metrics).toMatch(/webhook_deliveries_total\{outcome="dead"\} [1-9]/);
    expect(metrics).toMatch(/webhook_deliveries_total\{outcome="succeeded"\} [1-9]/);
    expect(metrics).toMatch(/webhook_queue_depth\{queue="dead_letters"\} 0/);
    const deleted = await call(t.app, 'DELETE', `/api/v1/webhook-endpoints/${endpoint.id}`, {
      token,
    });
    expect(deleted.status).toBe(204);
    expect((await call(t.app, 'GET', `/api/v1/deliveries/${dead.id}`, { token })).status).toBe(404);
  });
});
