/**
 * Clinic software (Doktor365) end to end over real HTTP on 127.0.0.1: a
 * started server whose Doktor365 adapter points at the fake Doktor365
 * served on 127.0.0.1, with two tenants configured and one not. An invoice
 * becomes exactly one deal at the clinic, with only the fields it needs,
 * and its settlement books it; an appointment puts the patient's
 * itinerary; a flight booking from the travel provider's webhook adds its
 * legs to that itinerary (moved by a change, dropped by a cancellation),
 * with no passenger data; one token is fetched per tenant across many pushes; an
 * outage is retried later and delivered once; an open breaker hands the
 * push to /ops as a manual task without calling the clinic.
 */
import {
  DOKTOR365_API,
  FakeDoktor365,
  type ServedFakeProvider,
  serveFakeProvider,
  serverErrors,
} from '@clinicbridge/adapters/testing';
import { generateSecret } from '@clinicbridge/webhooks';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { patientBody } from '../../test/helpers/fixtures.ts';
import { startTestServer, type TestServer, tenantClient } from '../../test/helpers/http-server.ts';
import { sendInbound } from '../../test/helpers/inbound.ts';
import { until } from '../../test/helpers/until.ts';
import { consoleFeature } from '../console/feature.ts';
import { inboundFeature } from '../inbound/feature.ts';
import { manualTasksFeature } from '../manual-tasks/feature.ts';
import { type CreatedTenant, createTenant } from '../tenants/service.ts';
import { clinicSoftwareFeature } from './feature.ts';

let database: TestDatabase;
let d365: FakeDoktor365;
let served: ServedFakeProvider;
let running: TestServer;
let tenants: CreatedTenant[];
/** The fake's handlers; a failure put in front of them applies to the next requests. */
const handlers: Parameters<typeof serveFakeProvider>[1][number][] = [];

const a = tenantClient(() => running, 0);
const b = tenantClient(() => running, 1);
const unconfigured = tenantClient(() => running, 2);
const eur = (amount: number) => ({ amount, currency: 'EUR' });
const OPS_PASSWORD = 'clinic-software-ops-password';
const travelSecret = generateSecret();

beforeAll(async () => {
  database = await openTestDatabase();
  tenants = [];
  for (const name of ['Clinic A', 'Clinic B', 'Clinic C'])
    tenants.push(await createTenant(database.db, { name }));
  const [ta, tb] = tenants as [CreatedTenant, CreatedTenant];
  d365 = new FakeDoktor365([ta.tenantId, tb.tenantId]);
  handlers.push(...d365.handlers());
  served = await serveFakeProvider(DOKTOR365_API, handlers);
  const started = await startTestServer({
    database,
    tenantCount: 0,
    features: [manualTasksFeature, consoleFeature(), inboundFeature(), clinicSoftwareFeature],
    env: {
      DOKTOR365_CLIENTS: JSON.stringify(d365.credentials),
      DOKTOR365_API_URL: served.url,
      DOKTOR365_BREAKER_FAILURES: '5',
      DOKTOR365_BREAKER_HALF_OPEN: '10m',
      CLINIC_PUSH_RETRY_AFTER: '300ms',
      OPS_USER: 'ops',
      OPS_PASSWORD,
      INBOUND_TRAVEL_SECRET: travelSecret,
      WEBHOOK_POLL_INTERVAL: '200ms',
    },
  });
  running = { server: started.server, tenants };
}, 180_000);
afterAll(async () => {
  await running?.server.close();
  await served?.close();
  await database?.close();
});

const tenantId = (i: number) => (tenants[i] as CreatedTenant).tenantId;
const callsTo = (path: string) => d365.requests.filter((url) => new URL(url).pathname === path);
const pushesOf = (subjectRef: string) =>
  database.db
    .selectFrom('clinic_pushes')
    .select(['kind', 'status', 'attempts', 'remote_id', 'manual_task_id', 'last_error'])
    .where('subject_ref', '=', subjectRef)
    .orderBy('created_at')
    .execute();

async function invoiceFor(client: typeof a, description: string, amount: number) {
  const patient = await client.api<{ id: string }>('POST', '/api/v1/patients', patientBody());
  const invoice = await client.api<{ id: string }>('POST', '/api/v1/invoices', {
    patientId: patient.id,
    currency: 'EUR',
    lines: [{ description, quantity: 1, unitPrice: eur(amount) }],
  });
  return { patientId: patient.id, invoiceId: invoice.id };
}

describe('clinic software with Doktor365', () => {
  test('an invoice becomes exactly one deal with only what the clinic needs; paying it books the deal', async () => {
    const { patientId, invoiceId } = await invoiceFor(a, 'DENT-IMPL-4', 250_000);
    const deal = await until(
      () => d365.records(tenantId(0)).get(`deals/${invoiceId}`),
      'the deal at the fake Doktor365',
    );
    expect(deal.body).toEqual({
      external_id: invoiceId,
      patient_external_id: patientId,
      package_code: 'DENT-IMPL-4',
      price: '2500.00',
      currency: 'EUR',
      status: 'quoted',
      updated_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(callsTo(`/api/v1/deals/${invoiceId}`)).toHaveLength(1);
    await until(async () => (await pushesOf(invoiceId))[0]?.status === 'delivered', 'delivered');
    expect(await pushesOf(invoiceId)).toEqual([
      {
        kind: 'deal',
        status: 'delivered',
        attempts: 1,
        remote_id: deal.id,
        manual_task_id: null,
        last_error: null,
      },
    ]);

    await a.api('POST', '/api/v1/payments', {
      invoiceId,
      amount: eur(250_000),
      method: 'card',
      source: 'terminal',
    });
    const booked = await until(() => {
      const record = d365.records(tenantId(0)).get(`deals/${invoiceId}`);
      return (record?.body as { status?: string } | undefined)?.status === 'booked'
        ? record
        : undefined;
    }, 'the deal booked');
    expect(booked?.id).toBe(deal.id);
    expect(callsTo(`/api/v1/deals/${invoiceId}`)).toHaveLength(2);
    const text = JSON.stringify([...d365.records(tenantId(0)).values()]);
    for (const pii of ['Ada', 'Yılmaz', 'ada@example.com', '+905551112233', '1980-02-29'])
      expect(text).not.toContain(pii);
  }, 60_000);

  test("an appointment puts the patient's itinerary: references, times and places only", async () => {
    const patient = await a.api<{ id: string }>('POST', '/api/v1/patients', patientBody());
    const first = await a.api<{ id: string }>('POST', '/api/v1/appointments', {
      patientId: patient.id,
      service: 'Implant surgery',
      location: 'Şişli clinic, room 4',
      notes: 'allergic to penicillin',
      startsAt: '2031-06-02T09:00:00.000Z',
      endsAt: '2031-06-02T10:00:00.000Z',
    });
    await until(
      () => d365.records(tenantId(0)).get(`itinerary/${patient.id}`),
      'the itinerary at the fake',
    );
    const second = await a.api<{ id: string }>('POST', '/api/v1/appointments', {
      patientId: patient.id,
      service: 'Check-up',
      startsAt: '2031-06-05T09:00:00.000Z',
      endsAt: '2031-06-05T09:30:00.000Z',
    });
    const itinerary = await until(() => {
      const record = d365.records(tenantId(0)).get(`itinerary/${patient.id}`);
      return (record?.body as { items: unknown[] } | undefined)?.items.length === 2
        ? record
        : undefined;
    }, 'the itinerary with both appointments');
    expect(itinerary?.body).toEqual({
      items: [
        {
          type: 'appointment',
          start: '2031-06-02T09:00:00.000Z',
          end: '2031-06-02T10:00:00.000Z',
          location: 'Şişli clinic, room 4',
          external_id: first.id,
        },
        {
          type: 'appointment',
          start: '2031-06-05T09:00:00.000Z',
          end: '2031-06-05T09:30:00.000Z',
          location: 'Clinic',
          external_id: second.id,
        },
      ],
    });
    const text = JSON.stringify(itinerary);
    for (const clinical of ['Implant', 'Check-up', 'penicillin'])
      expect(text).not.toContain(clinical);
  }, 60_000);

  test("a flight booking puts its legs in the patient's itinerary, moved and cancelled with the flight; no passenger data", async () => {
    const patient = await a.api<{ id: string }>('POST', '/api/v1/patients', patientBody());
    const appointment = await a.api<{ id: string }>('POST', '/api/v1/appointments', {
      patientId: patient.id,
      service: 'Hair transplant',
      startsAt: '2031-07-10T08:00:00.000Z',
      endsAt: '2031-07-10T16:00:00.000Z',
    });
    await until(
      () => d365.records(tenantId(0)).get(`itinerary/${patient.id}`),
      'the itinerary with the appointment',
    );
    const travel = (id: string, type: string, data: Record<string, unknown>) =>
      sendInbound(running.server.url, database.db, {
        provider: 'travel',
        id,
        secret: travelSecret,
        body: JSON.stringify({
          type,
          tenantId: tenantId(0),
          entityType: 'booking',
          entityId: 'bk-flight-1',
          data: { bookingId: 'bk-flight-1', patientId: patient.id, ...data },
          passengers: [{ name: 'Ada Passenger', passport: 'U12345678' }],
        }),
      });
    const outbound = {
      airline: 'TK',
      flightNumber: 'TK1980',
      from: 'LHR',
      to: 'IST',
      departAt: '2031-07-08T09:30:00.000Z',
      arriveAt: '2031-07-08T13:20:00.000Z',
    };
    const back = {
      airline: 'TK',
      flightNumber: 'TK1985',
      from: 'IST',
      to: 'LHR',
      departAt: '2031-07-14T11:00:00.000Z',
      arriveAt: '2031-07-14T15:05:00.000Z',
    };
    const confirmed = await travel('travel-bk-1', 'booking.confirmed', {
      kind: 'flight',
      reference: 'PNR7Q2',
      // The last leg names a city, not an airport: the clinic's system could not take it.
      flights: [
        { ...outbound, passengerName: 'Ada Passenger' },
        back,
        { ...back, flightNumber: 'TK1999', to: 'London' },
      ],
    });
    expect(confirmed).toEqual({ status: 'processed', reason: 'booking.confirmed recorded' });
    const itineraryWith = (count: number, check: (items: Record<string, unknown>[]) => boolean) =>
      until(() => {
        const body = d365.records(tenantId(0)).get(`itinerary/${patient.id}`)?.body as
          | { items: Record<string, unknown>[] }
          | undefined;
        return body?.items.length === count && check(body.items) ? body : undefined;
      }, `the itinerary with ${count} items`);
    const legOf = (leg: typeof outbound, externalId: string) => ({
      type: 'flight',
      start: leg.departAt,
      end: leg.arriveAt,
      external_id: externalId,
      airline: leg.airline,
      flight_no: leg.flightNumber,
      departure_airport: leg.from,
      arrival_airport: leg.to,
    });
    const booked = await itineraryWith(3, () => true);
    expect(booked).toEqual({
      items: [
        legOf(outbound, 'bk-flight-1-1'),
        {
          type: 'appointment',
          start: '2031-07-10T08:00:00.000Z',
          end: '2031-07-10T16:00:00.000Z',
          location: 'Clinic',
          external_id: appointment.id,
        },
        legOf(back, 'bk-flight-1-2'),
      ],
    });

    // The return flight leaves two hours later; no arrival time given, it lands two hours later.
    await travel('travel-bk-2', 'flight.changed', {
      flightNumber: 'TK1985',
      departAt: '2031-07-14T13:00:00.000Z',
      previousDepartAt: back.departAt,
    });
    const moved = await itineraryWith(3, (items) => items[2]?.start === '2031-07-14T13:00:00.000Z');
    expect(moved.items[2]).toEqual(
      legOf(
        { ...back, departAt: '2031-07-14T13:00:00.000Z', arriveAt: '2031-07-14T17:05:00.000Z' },
        'bk-flight-1-2',
      ),
    );
    await travel('travel-bk-3', 'flight.cancelled', { flightNumber: 'TK1980' });
    const cancelled = await itineraryWith(2, () => true);
    expect(cancelled.items.map((item) => item.external_id)).toEqual([
      appointment.id,
      'bk-flight-1-2',
    ]);

    const sent = JSON.stringify(
      await database.db
        .selectFrom('clinic_pushes')
        .select('payload')
        .where('subject_ref', '=', patient.id)
        .execute(),
    );
    for (const text of [sent, JSON.stringify([...d365.records(tenantId(0)).values()])])
      for (const secret of ['Passenger', 'U12345678', 'PNR7Q2', 'Hair', 'Ada'])
        expect(text).not.toContain(secret);
    expect(sent).not.toContain('TK1999');
    expect(
      await database.db
        .selectFrom('clinic_pushes')
        .select(['status'])
        .where('subject_ref', '=', patient.id)
        .where('status', '=', 'manual')
        .execute(),
    ).toEqual([]);
  }, 60_000);

  test('one token per tenant across many pushes; a tenant without a clinic system sends nothing', async () => {
    const invoices: { invoiceId: string }[] = [];
    for (let i = 0; i < 3; i += 1) invoices.push(await invoiceFor(b, `PKG-${i}`, 10_000 + i));
    invoices.push(await invoiceFor(a, 'PKG-A', 5_000));
    const other = await invoiceFor(unconfigured, 'PKG-C', 5_000);
    for (const { invoiceId } of invoices)
      await until(
        async () => (await pushesOf(invoiceId))[0]?.status === 'delivered',
        `deal ${invoiceId} delivered`,
      );
    expect(d365.records(tenantId(1)).size).toBe(3);
    // Tenant A pushed in the earlier tests too: still one token each.
    expect(d365.tokenRequests).toBe(2);
    expect(await pushesOf(other.invoiceId)).toEqual([]);
    expect(
      await database.db
        .selectFrom('clinic_pushes')
        .select('id')
        .where('tenant_id', '=', tenantId(2))
        .execute(),
    ).toEqual([]);
  }, 60_000);

  test('a clinic outage is retried later and the deal delivered once', async () => {
    // One whole call (the first attempt and its three retries) fails: fewer than the breaker's five.
    const outage = serverErrors({
      method: 'put',
      url: `${DOKTOR365_API}/api/v1/deals/*`,
      times: 4,
    });
    handlers.unshift(outage.handler);
    try {
      const { invoiceId } = await invoiceFor(a, 'PKG-OUTAGE', 7_500);
      await until(
        async () => (await pushesOf(invoiceId))[0]?.status === 'delivered',
        'the deal delivered after the outage',
        30_000,
      );
      expect(outage.hits).toBe(4);
      expect(await pushesOf(invoiceId)).toEqual([
        expect.objectContaining({ status: 'delivered', attempts: 2, last_error: null }),
      ]);
      expect(callsTo(`/api/v1/deals/${invoiceId}`)).toHaveLength(1);
      expect(d365.records(tenantId(0)).get(`deals/${invoiceId}`)?.body).toMatchObject({
        package_code: 'PKG-OUTAGE',
        status: 'quoted',
      });
    } finally {
      handlers.splice(handlers.indexOf(outage.handler), 1);
    }
  }, 60_000);

  test('once the breaker is open the push is a manual task on /ops and the clinic is not called', async () => {
    const outage = serverErrors({
      method: 'put',
      url: `${DOKTOR365_API}/api/v1/deals/*`,
      times: 1_000,
    });
    handlers.unshift(outage.handler);
    try {
      const first = await invoiceFor(b, 'PKG-DOWN-1', 9_000);
      await until(
        async () => (await pushesOf(first.invoiceId))[0]?.status === 'manual',
        'the deal handed to /ops',
        30_000,
      );
      const hits = outage.hits;
      // The breaker opened on failed attempts; every attempt after it fails without a call.
      expect(hits).toBeGreaterThanOrEqual(5);
      const second = await invoiceFor(b, 'PKG-DOWN-2', 9_000);
      await until(
        async () => (await pushesOf(second.invoiceId))[0]?.status === 'manual',
        'the next deal handed to /ops',
        30_000,
      );
      expect(outage.hits).toBe(hits);
      const tasks = await database.db
        .selectFrom('manual_tasks')
        .select(['kind', 'provider', 'operation', 'subject_ref', 'reason'])
        .where('subject_ref', 'in', [first.invoiceId, second.invoiceId])
        .orderBy('subject_ref')
        .execute();
      expect(tasks).toEqual(
        [first.invoiceId, second.invoiceId].toSorted().map((subject_ref) => ({
          kind: 'clinic_software',
          provider: 'doktor365',
          operation: 'clinic.deals.put',
          subject_ref,
          reason: 'circuit_open',
        })),
      );
      const [push] = await pushesOf(second.invoiceId);
      expect(push?.manual_task_id).toMatch(/^mt_/);
      const page = await fetch(`${running.server.url}/ops/tasks`, {
        headers: {
          authorization: `Basic ${Buffer.from(`ops:${OPS_PASSWORD}`).toString('base64')}`,
        },
      });
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain(second.invoiceId);
      expect(html).toContain('doktor365');
      expect(html).toContain('circuit open');
      // The other clinic's breaker is its own: tenant A still delivers.
      handlers.splice(handlers.indexOf(outage.handler), 1);
      const { invoiceId } = await invoiceFor(a, 'PKG-STILL-UP', 1_000);
      await until(
        async () => (await pushesOf(invoiceId))[0]?.status === 'delivered',
        "tenant A's deal delivered",
      );
    } finally {
      const at = handlers.indexOf(outage.handler);
      if (at >= 0) handlers.splice(at, 1);
    }
  }, 90_000);
});
