/** Doktor365 proxy against the fake: conformance, per-tenant token cache keys, wire shape. */
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { InMemoryManualTaskSink } from '../core/manual-tasks.ts';
import { InMemoryTokenCache } from '../core/token-cache.ts';
import { describeClinicSoftwareProxyConformance } from '../ports/__fixtures__/clinic-software-proxy.case.ts';
import { DOKTOR365_API, FakeDoktor365 } from '../testing/doktor365.ts';
import { createDoktor365Proxy, mapDoktor365Error } from './index.ts';

const fast = { retry: { baseDelayMs: 1, maxDelayMs: 2 }, breaker: { consecutiveFailures: 3 } };

const build = (
  fake: FakeDoktor365,
  extra: { tokenCache?: InMemoryTokenCache; tokenKey?: (t: string) => string } = {},
) => {
  const sink = new InMemoryManualTaskSink();
  const proxy = createDoktor365Proxy({
    credentialsFor: (tenant) => fake.credentials[tenant],
    sink,
    policies: fast,
    ...extra,
  });
  return { proxy, sink };
};

describeClinicSoftwareProxyConformance({
  name: 'doktor365',
  apiUrl: `${DOKTOR365_API}/api/v1/*`,
  tenants: ['tnt_1', 'tnt_2'],
  setup() {
    const fake = new FakeDoktor365(['tnt_1', 'tnt_2']);
    const { proxy, sink } = build(fake);
    return {
      proxy,
      handlers: fake.handlers(),
      sink,
      recordCount: (tenant) => fake.records(tenant).size,
      requests: () => fake.requests,
    };
  },
});

describe('doktor365 specifics', () => {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  const deal = (tenantRef: string) => ({
    tenantRef,
    dealRef: 'case_1',
    patientRef: 'pat_1',
    packageCode: 'DENT-IMPL-4',
    amount: { amountMinor: 250_050, currency: 'EUR' },
    stage: 'booked' as const,
    updatedAt: '2026-12-02T10:00:00Z',
  });

  test('tokens are cached per tenant under d365:token:{tenant} and reused', async () => {
    const fake = new FakeDoktor365(['tnt_1', 'tnt_2']);
    server.use(...fake.handlers());
    const tokenCache = new InMemoryTokenCache();
    const { proxy } = build(fake, { tokenCache });
    await proxy.sendDeal(deal('tnt_1'));
    await proxy.sendDeal({ ...deal('tnt_1'), dealRef: 'case_2' });
    await proxy.sendDeal(deal('tnt_2'));
    expect(fake.tokenRequests).toBe(2);
    expect(tokenCache.keys().sort()).toEqual(['d365:token:tnt_1', 'd365:token:tnt_2']);
  });

  test('the cache key is configurable and a second proxy shares the cached token', async () => {
    const fake = new FakeDoktor365(['tnt_1']);
    server.use(...fake.handlers());
    const tokenCache = new InMemoryTokenCache();
    const tokenKey = (tenant: string) => `clinicbridge:d365:${tenant}`;
    await build(fake, { tokenCache, tokenKey }).proxy.sendDeal(deal('tnt_1'));
    await build(fake, { tokenCache, tokenKey }).proxy.sendDeal({
      ...deal('tnt_1'),
      dealRef: 'case_9',
    });
    expect(tokenCache.keys()).toEqual(['clinicbridge:d365:tnt_1']);
    expect(fake.tokenRequests).toBe(1);
  });

  test('an expired token is refreshed once and the write goes through', async () => {
    const fake = new FakeDoktor365(['tnt_1']);
    server.use(...fake.handlers());
    const { proxy } = build(fake);
    await proxy.sendDeal(deal('tnt_1'));
    fake.expireTokens();
    expect((await proxy.sendDeal({ ...deal('tnt_1'), dealRef: 'case_2' })).status).toBe(
      'delivered',
    );
    expect(fake.tokenRequests).toBe(2);
  });

  test('the deal goes as references, a decimal price and a status; no personal data', async () => {
    const fake = new FakeDoktor365(['tnt_1']);
    server.use(...fake.handlers());
    await build(fake).proxy.sendDeal(deal('tnt_1'));
    expect(fake.records('tnt_1').get('deals/case_1')?.body).toEqual({
      external_id: 'case_1',
      patient_external_id: 'pat_1',
      package_code: 'DENT-IMPL-4',
      price: '2500.50',
      currency: 'EUR',
      status: 'booked',
      updated_at: '2026-12-02T10:00:00Z',
    });
  });

  test('an itinerary carries stops and flight legs in the Doktor365 item shape', async () => {
    const fake = new FakeDoktor365(['tnt_1']);
    server.use(...fake.handlers());
    const result = await build(fake).proxy.sendItinerary({
      tenantRef: 'tnt_1',
      caseRef: 'pat_1',
      items: [
        {
          kind: 'flight',
          reference: 'bk_7-1',
          airline: 'TK',
          flightNumber: 'TK1980',
          from: 'LHR',
          to: 'IST',
          departAt: '2026-12-09T08:00:00Z',
          arriveAt: '2026-12-09T14:00:00Z',
        },
        {
          kind: 'appointment',
          startsAt: '2026-12-10T09:00:00Z',
          place: 'Clinic',
          reference: 'apt_1',
        },
      ],
    });
    expect(result.status).toBe('delivered');
    expect(fake.records('tnt_1').get('itinerary/pat_1')?.body).toEqual({
      items: [
        {
          type: 'flight',
          start: '2026-12-09T08:00:00Z',
          end: '2026-12-09T14:00:00Z',
          external_id: 'bk_7-1',
          airline: 'TK',
          flight_no: 'TK1980',
          departure_airport: 'LHR',
          arrival_airport: 'IST',
        },
        {
          type: 'appointment',
          start: '2026-12-10T09:00:00Z',
          location: 'Clinic',
          external_id: 'apt_1',
        },
      ],
    });
  });

  test('the fake refuses an itinerary item Doktor365 does not document', async () => {
    const fake = new FakeDoktor365(['tnt_1']);
    server.use(...fake.handlers());
    const token = await (
      await fetch(`${DOKTOR365_API}/api/v1/auth/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: 'd365-tnt_1',
          client_secret: 'secret-tnt_1',
        }),
      })
    ).json();
    const put = (items: unknown[]) =>
      fetch(`${DOKTOR365_API}/api/v1/cases/pat_1/itinerary`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token.access_token}` },
        body: JSON.stringify({ items }),
      });
    const leg = { type: 'flight', start: 'a', end: 'b', external_id: 'x', airline: 'TK' };
    expect((await put([leg])).status).toBe(422);
    expect((await put([{ ...leg, flight_no: 'TK1', departure_airport: 'LHR' }])).status).toBe(422);
    const full = { ...leg, flight_no: 'TK1', departure_airport: 'LHR', arrival_airport: 'IST' };
    expect((await put([{ ...full, passenger: 'Ada' }])).status).toBe(422);
    expect((await put([full])).status).toBe(200);
    expect(fake.writes).toBe(1);
  });

  test('maps Doktor365 errors, also 200 with success: false', () => {
    const reply = (status: number, body: unknown) => ({ status, body, headers: new Headers() });
    expect(
      mapDoktor365Error(reply(422, { success: false, error: { code: 'VALIDATION_FAILED' } })),
    ).toEqual({
      code: 'invalid_request',
      providerCode: 'VALIDATION_FAILED',
    });
    expect(
      mapDoktor365Error(reply(200, { success: false, error: { code: 'PATIENT_LOCKED' } }))?.code,
    ).toBe('invalid_request');
    expect(mapDoktor365Error(reply(503, {}))).toEqual({ providerCode: 'http_503' });
    expect(mapDoktor365Error(reply(200, { success: true }))).toBeUndefined();
  });
});
