/**
 * Clinic software (Doktor365) end to end over real HTTP on 127.0.0.1: a
 * started server whose Doktor365 adapter points at the fake Doktor365
 * served on 127.0.0.1, with two tenants configured and one not. An invoice
 * becomes exactly one deal at the clinic, with only the fields it needs,
 * and its settlement books it; an appointment puts the patient's
 * itinerary; one token is fetched per tenant across many pushes; an
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
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { patientBody } from '../../test/helpers/fixtures.ts';
import { startTestServer, type TestServer, tenantClient } from '../../test/helpers/http-server.ts';
import { until } from '../../test/helpers/until.ts';
import { consoleFeature } from '../console/feature.ts';
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
    features: [manualTasksFeature, consoleFeature(), clinicSoftwareFeature],
    env: {
      DOKTOR365_CLIENTS: JSON.stringify(d365.credentials),
      DOKTOR365_API_URL: served.url,
      DOKTOR365_BREAKER_FAILURES: '5',
      DOKTOR365_BREAKER_HALF_OPEN: '10m',
      CLINIC_PUSH_RETRY_AFTER: '300ms',
      OPS_USER: 'ops',
      OPS_PASSWORD,
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
