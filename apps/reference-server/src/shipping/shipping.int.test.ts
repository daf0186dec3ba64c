/**
 * Shipping end to end over real HTTP on 127.0.0.1: a started server whose
 * EasyPost adapter points at the fake EasyPost served on 127.0.0.1. A
 * dispatch buys the cheapest label and stores the tracking; a signed
 * tracking webhook moves it (a forged one is refused); the poll job
 * follows it to delivered; the events carry no address; while EasyPost is
 * down dispatches become manual tasks for /ops and, once the breaker is
 * open, without calling it; a server with no provider hands every
 * dispatch to the operators.
 */
import {
  EASYPOST_API,
  FakeEasyPost,
  type ServedFakeProvider,
  serveFakeProvider,
} from '@clinicbridge/adapters/testing';
import type { EventEnvelope, Shipment } from '@clinicbridge/sdk/contract';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestServer, type TestServer, tenantClient } from '../../test/helpers/http-server.ts';
import { until } from '../../test/helpers/until.ts';
import { manualTasksFeature } from '../manual-tasks/feature.ts';
import { shippingFeature } from './feature.ts';

const easypost = new FakeEasyPost('EZTK-server-key', 'easypost-hook-secret');
let served: ServedFakeProvider;
let running: TestServer;
let bare: TestServer;
const { api, call } = tenantClient(() => running);

beforeAll(async () => {
  served = await serveFakeProvider(EASYPOST_API, easypost.handlers());
  [running, bare] = await Promise.all([
    startTestServer({
      tenantCount: 1,
      features: [manualTasksFeature, shippingFeature],
      env: {
        EASYPOST_API_KEY: easypost.apiKey,
        EASYPOST_WEBHOOK_SECRET: easypost.webhookSecret,
        EASYPOST_API_URL: served.url,
        SHIPPING_POLL_INTERVAL: '200ms',
        WEBHOOK_POLL_INTERVAL: '200ms',
      },
    }),
    startTestServer({ tenantCount: 1, features: [manualTasksFeature, shippingFeature] }),
  ]);
}, 180_000);
afterAll(async () => {
  await running?.server.close();
  await bare?.server.close();
  await served?.close();
});

const dispatch = (caseId: string, client = api) =>
  client<Shipment>('POST', '/api/v1/shipments', {
    caseId,
    contents: 'medication',
    from: {
      name: 'Clinic pharmacy',
      street1: 'Halaskargazi Cd. 1',
      city: 'Istanbul',
      zip: '34371',
      country: 'TR',
    },
    to: {
      name: 'A. Patient',
      street1: '1 High Street',
      city: 'London',
      zip: 'N1 1AA',
      country: 'GB',
      phone: '+447700900123',
    },
    parcel: { lengthMm: 300, widthMm: 200, heightMm: 50, weightGrams: 500 },
  });
const webhook = (trackerId: string, secret?: string) => {
  const event = easypost.event(trackerId, secret);
  return fetch(`${running.server.url}/webhooks/shipping/easypost`, {
    method: 'POST',
    headers: event.headers,
    body: event.body,
  });
};
const trackerOf = (shipment: Shipment) => {
  const tracker = [...easypost.trackers.values()].find(
    (t) => t.tracking_code === shipment.trackingCode,
  );
  if (!tracker) throw new Error('no tracker at the fake');
  return tracker.id;
};
const eventsOf = async (shipmentId: string) =>
  (await api<{ data: EventEnvelope[] }>('GET', `/api/v1/events?entityId=${shipmentId}`)).data;

describe('shipping with EasyPost', () => {
  test('a dispatch buys the cheapest label; a signed webhook moves it, a forged one is refused; polling reaches delivered', async () => {
    const shipment = await dispatch('case_7');
    expect(shipment).toMatchObject({
      status: 'pre_transit',
      provider: 'easypost',
      carrier: 'USPS',
      service: 'Priority',
      amountMinor: 758,
      currency: 'USD',
      labelUrl: expect.stringMatching(/^https:\/\//),
      trackingCode: expect.any(String),
    });
    expect(easypost.purchases).toBe(1);
    const trackerId = trackerOf(shipment);

    const forged = await webhook(trackerId, 'not-the-secret');
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as { code: string }).code).toBe('webhook_verification_failed');

    easypost.advance(trackerId);
    const accepted = await webhook(trackerId);
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toEqual({ received: true, changed: true });
    expect((await api<Shipment>('GET', `/api/v1/shipments/${shipment.id}`)).status).toBe(
      'in_transit',
    );
    // The same event again changes nothing.
    expect(await (await webhook(trackerId)).json()).toEqual({ received: true, changed: false });

    easypost.advance(trackerId, 'delivered');
    await until(async () => {
      const read = await api<Shipment>('GET', `/api/v1/shipments/${shipment.id}`);
      return read.status === 'delivered' ? read : undefined;
    }, 'the poll job to see the delivery');

    const events = (await eventsOf(shipment.id)).toReversed();
    expect(events.map((e) => [e.type, e.data.status, e.data.previousStatus])).toEqual([
      ['shipment.created', 'pre_transit', null],
      ['shipment.status_changed', 'in_transit', 'pre_transit'],
      ['shipment.status_changed', 'delivered', 'in_transit'],
    ]);
    const text = JSON.stringify(events);
    for (const pii of ['High Street', 'N1 1AA', '+447700900123', 'A. Patient']) {
      expect(text).not.toContain(pii);
    }
    // A late webhook cannot move a delivered parcel back.
    easypost.advance(trackerId, 'in_transit');
    expect(await (await webhook(trackerId)).json()).toEqual({ received: true, changed: false });
    const audit = await running.server.database.db
      .selectFrom('audit_events')
      .select('action')
      .where('entity_id', '=', shipment.id)
      .execute();
    expect(audit.map((a) => a.action)).toEqual([
      'shipment.created',
      'shipment.status_changed',
      'shipment.status_changed',
    ]);
  });

  test('while EasyPost is down dispatches become manual tasks; once the breaker is open no call is made', async () => {
    easypost.outage();
    try {
      const first = await dispatch('case_down_1');
      expect(first).toMatchObject({ status: 'manual', trackingCode: null });
      let open: Shipment | undefined;
      for (let i = 0; i < 10 && !open; i += 1) {
        const before = easypost.requests.length;
        const next = await dispatch(`case_down_${i + 2}`);
        expect(next.status).toBe('manual');
        if (easypost.requests.length === before) open = next;
      }
      if (!open) throw new Error('the breaker never opened');
      const tasks = await running.server.database.db
        .selectFrom('manual_tasks')
        .select(['kind', 'operation', 'subject_ref', 'reason', 'summary'])
        .where('subject_ref', 'in', [first.id, open.id])
        .execute();
      expect(tasks).toContainEqual(
        expect.objectContaining({ kind: 'shipping', subject_ref: open.id, reason: 'circuit_open' }),
      );
      expect(tasks.map((t) => t.subject_ref)).toContain(first.id);
      expect(JSON.stringify(tasks)).not.toContain('High Street');
      expect((await eventsOf(open.id)).map((e) => [e.type, e.data.status])).toEqual([
        ['shipment.created', 'manual'],
      ]);
    } finally {
      easypost.restore();
    }
  }, 180_000);

  test('an address that is not one is 400 before any call', async () => {
    const before = easypost.requests.length;
    const res = await call('POST', '/api/v1/shipments', {
      caseId: 'case_bad',
      contents: 'documents',
      from: { name: 'C', street1: 'S', city: 'I', zip: '1', country: 'TR' },
      to: { name: 'P', street1: 'S', city: 'L', zip: '1', country: 'England' },
      parcel: { lengthMm: 1, widthMm: 1, heightMm: 1, weightGrams: 1 },
    });
    expect(res.status).toBe(400);
    expect(easypost.requests.length).toBe(before);
  });
});

describe('without a shipping provider', () => {
  test('every dispatch is handed to the operators', async () => {
    const client = tenantClient(() => bare);
    const shipment = await dispatch('case_no_provider', client.api);
    expect(shipment).toMatchObject({ status: 'manual', provider: 'manual' });
    const tasks = await bare.server.database.db
      .selectFrom('manual_tasks')
      .select(['kind', 'provider', 'reason'])
      .where('subject_ref', '=', shipment.id)
      .execute();
    expect(tasks).toEqual([
      { kind: 'shipping', provider: 'manual', reason: 'shipping_provider_not_configured' },
    ]);
    const webhook = await fetch(`${bare.server.url}/webhooks/shipping/easypost`, {
      method: 'POST',
      body: '{}',
    });
    expect(webhook.status).toBe(404);
  });
});
