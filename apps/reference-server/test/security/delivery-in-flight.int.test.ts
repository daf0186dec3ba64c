/**
 * Security regression (issue #10, finding 15): retrying a delivery while an
 * attempt of it is in flight must not start a parallel send. A slow
 * receiver on 127.0.0.1 holds the first attempt open while four retries
 * arrive at once through the API; the receiver counts how many requests
 * carrying the delivery's `webhook-id` it holds at the same time.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { deliveryConfig } from '../../src/delivery/config.ts';
import type { Feature } from '../../src/feature.ts';
import { inboundConfig } from '../../src/inbound/config.ts';
import { type Scheduler, startScheduler } from '../../src/scheduler/start.ts';
import { call, startTestApp, type TestApp } from '../helpers/app.ts';
import { eventFeatures } from '../helpers/features.ts';

const HOLD_MS = 1_500;
const busEnv = {
  WEBHOOK_RETRY_SCHEDULE: '1s',
  WEBHOOK_POLL_INTERVAL: '50ms',
  WEBHOOK_TIMEOUT_MS: '5000',
};
let features: Feature[];
let t: TestApp;
let scheduler: Scheduler | undefined;
let server: Server;
let url: string;
let token: string;

/** Requests held open right now and the most ever held at once, per webhook-id. */
const active = new Map<string, number>();
const peak = new Map<string, number>();
const total = new Map<string, number>();
const held = new Set<ServerResponse>();

beforeAll(async () => {
  server = createServer((req, res) => {
    const id = String(req.headers['webhook-id']);
    req.resume();
    const now = (active.get(id) ?? 0) + 1;
    active.set(id, now);
    peak.set(id, Math.max(peak.get(id) ?? 0, now));
    total.set(id, (total.get(id) ?? 0) + 1);
    held.add(res);
    setTimeout(() => {
      active.set(id, (active.get(id) ?? 1) - 1);
      held.delete(res);
      res.writeHead(200).end('ok');
    }, HOLD_MS);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  // The receiver's host and port are the SSRF guard's one exception.
  features = eventFeatures({
    ...deliveryConfig.parse({ ...busEnv, WEBHOOK_TARGET_ALLOWLIST: new URL(url).host }),
    ...inboundConfig.parse({}),
  });
  t = await startTestApp({ tenantCount: 1, deps: { features } });
  token = t.tenants[0]?.apiKey as string;
  scheduler = await startScheduler(t.context, features);
});

afterAll(async () => {
  await scheduler?.close();
  for (const feature of features) await feature.stop?.();
  for (const res of held) res.destroy();
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
  await t.close();
});

async function until(done: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('security: delivery retries', () => {
  test('finding 15: four concurrent retries of an in-flight delivery start no parallel send', async () => {
    const endpoint = await (
      await call(t.app, 'POST', '/api/v1/webhook-endpoints', {
        token,
        body: { url, eventTypes: ['webhook_endpoint.ping'] },
      })
    ).json();
    const ping = await call(t.app, 'POST', `/api/v1/webhook-endpoints/${endpoint.id}/test`, {
      token,
      body: {},
    });
    const { eventId } = (await ping.json()) as { eventId: string };
    // The first attempt is on the wire, held open by the receiver.
    await until(() => (active.get(eventId) ?? 0) === 1);
    const deliveries = await (
      await call(t.app, 'GET', `/api/v1/events/${eventId}/deliveries`, { token })
    ).json();
    const deliveryId = deliveries.data[0].id as string;

    const retries = await Promise.all(
      Array.from({ length: 4 }, () =>
        call(t.app, 'POST', `/api/v1/deliveries/${deliveryId}/retry`, { token, body: {} }),
      ),
    );
    // Give a wrongly freed delivery every chance to be claimed again while the first is held.
    await new Promise((r) => setTimeout(r, 500));
    expect(active.get(eventId)).toBe(1);

    for (const res of retries) {
      expect(res.status).toBe(409);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect((await res.json()).code).toBe('invalid_state_transition');
    }
    // The held attempt finishes and is recorded; nothing else was sent.
    await until(async () => {
      const d = await (
        await call(t.app, 'GET', `/api/v1/deliveries/${deliveryId}`, { token })
      ).json();
      return d.status === 'succeeded';
    });
    expect(total.get(eventId)).toBe(1);

    // Once nothing is in flight, a retry is accepted and sends exactly once more.
    const again = await call(t.app, 'POST', `/api/v1/deliveries/${deliveryId}/retry`, {
      token,
      body: {},
    });
    expect(again.status).toBe(202);
    await until(() => (total.get(eventId) ?? 0) === 2);
    await until(() => (active.get(eventId) ?? 0) === 0);
    expect(peak.get(eventId)).toBe(1);
  });
});
