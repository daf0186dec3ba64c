/** Amadeus flights: normalisation, token handling, Travel Desk fallback, pricing and idempotent booking. */
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { isProviderError } from '../core/errors.ts';
import { InMemoryManualTaskSink } from '../core/manual-tasks.ts';
import { InMemoryTokenCache } from '../core/token-cache.ts';
import { AMADEUS_API, FakeAmadeus } from '../testing/amadeus.ts';
import { authExpired, hang, serverErrors } from '../testing/failures.ts';
import { createAmadeusClient, createAmadeusFlights } from './index.ts';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const setup = (overrides: { clientSecret?: string } = {}) => {
  const fake = new FakeAmadeus();
  server.use(...fake.handlers());
  const sink = new InMemoryManualTaskSink();
  const options = {
    clientId: fake.clientId,
    clientSecret: overrides.clientSecret ?? fake.clientSecret,
    sink,
    timeoutMs: 200,
    policies: {
      retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 2 },
      breaker: { consecutiveFailures: 3 },
    },
  };
  const client = createAmadeusClient(options);
  const flights = createAmadeusFlights({ ...options, client });
  return { fake, sink, flights, client };
};

const query = {
  origin: 'LHR',
  destination: 'IST',
  departureDate: '2026-12-01',
  adults: 1,
  subjectRef: 'trip_42',
};

const travelers = [
  {
    id: '1',
    firstName: 'AYSE',
    lastName: 'YILMAZ',
    dateOfBirth: '1980-04-02',
    gender: 'FEMALE' as const,
    email: 'ayse.yilmaz@example.com',
  },
];

describe('search', () => {
  test('normalises offers into flight options', async () => {
    const { flights } = setup();
    const { options, manualTaskId } = await flights.search(query);
    expect(manualTaskId).toBeUndefined();
    expect(options).toHaveLength(2);
    const { offerToken, ...direct } = options[0]!;
    expect(offerToken).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(direct).toEqual({
      id: '1',
      airline: 'TURKISH AIRLINES',
      flightNumber: 'TK1980',
      depart: { airport: 'LHR', at: '2026-12-01T11:35:00' },
      arrive: { airport: 'IST', at: '2026-12-01T17:30:00' },
      durationMinutes: 235,
      stops: 0,
      cabin: 'business',
      indicativeFare: { amountMinor: 91240, currency: 'EUR' },
      tags: ['non_stop', 'refundable', 'checked_bag', 'last_seats'],
    });
    expect(options[1]).toMatchObject({
      flightNumber: 'KL1008',
      stops: 1,
      cabin: 'economy',
      arrive: { airport: 'IST' },
      tags: [],
    });
  });

  test('two clients on one shared token cache (two processes) make one token request', async () => {
    const { fake, sink } = setup();
    const tokenCache = new InMemoryTokenCache();
    const options = { clientId: fake.clientId, clientSecret: fake.clientSecret, sink, tokenCache };
    const one = createAmadeusFlights({ ...options, client: createAmadeusClient(options) });
    const two = createAmadeusFlights({ ...options, client: createAmadeusClient(options) });
    await one.search(query);
    await two.search(query);
    expect(fake.tokenRequests).toBe(1);
    expect(tokenCache.keys()).toEqual(['amadeus:token']);
  });

  test('one token for 50 concurrent searches', async () => {
    const { flights, fake } = setup();
    await Promise.all(Array.from({ length: 50 }, () => flights.search(query)));
    expect(fake.tokenRequests).toBe(1);
  });

  test('an expired token is refreshed once and the search succeeds', async () => {
    const { flights, fake } = setup();
    await flights.search(query);
    fake.expireTokens();
    const { options } = await flights.search(query);
    expect(options).toHaveLength(2);
    expect(fake.tokenRequests).toBe(2);
  });

  test('an injected 401 (token revoked upstream) costs one refresh, then succeeds', async () => {
    const { flights, fake } = setup();
    await flights.search(query);
    const expired = authExpired({
      method: 'get',
      url: `${AMADEUS_API}/v2/shopping/flight-offers`,
      body: { errors: [{ code: 38190, title: 'Invalid access token', status: 401 }] },
    });
    server.use(expired.handler);
    const { options } = await flights.search(query);
    expect(expired.hits).toBe(1);
    expect(options).toHaveLength(2);
    expect(fake.tokenRequests).toBe(2);
  });

  test('Amadeus down → Travel Desk task with the query, no PII', async () => {
    const { flights, sink } = setup();
    server.use(
      serverErrors({
        method: 'get',
        url: `${AMADEUS_API}/v2/shopping/flight-offers`,
        times: 100,
        body: { errors: [{ status: 500, code: 141, title: 'SYSTEM ERROR HAS OCCURRED' }] },
      }).handler,
    );
    const result = await flights.search(query);
    expect(result.options).toEqual([]);
    expect(result.manualTaskId).toBe(sink.tasks[0]!.id);
    expect(sink.tasks[0]).toMatchObject({
      kind: 'travel',
      provider: 'amadeus',
      operation: 'flights.search',
      subjectRef: 'trip_42',
      reason: 'provider_unavailable',
      details: {
        origin: 'LHR',
        destination: 'IST',
        departureDate: '2026-12-01',
        adults: 1,
        attempts: 3,
        providerCode: '141',
      },
    });
  });

  test('an open circuit goes straight to the Travel Desk', async () => {
    const { flights, sink, fake } = setup();
    server.use(
      serverErrors({ method: 'get', url: `${AMADEUS_API}/v2/shopping/flight-offers`, times: 100 })
        .handler,
    );
    await flights.search(query); // 3 failed attempts open the circuit
    const before = fake.requests.length;
    const result = await flights.search(query);
    expect(fake.requests.length).toBe(before);
    expect(sink.tasks.at(-1)?.reason).toBe('circuit_open');
    expect(result.manualTaskId).toBe(sink.tasks.at(-1)?.id);
  });

  test('a hanging supplier times out into a Travel Desk task', async () => {
    const { flights, sink } = setup();
    server.use(
      hang({ method: 'get', url: `${AMADEUS_API}/v2/shopping/flight-offers`, times: 100 }).handler,
    );
    const result = await flights.search(query);
    expect(result.options).toEqual([]);
    expect(sink.tasks[0]?.reason).toBe('timeout');
  });

  test('Amadeus rejecting the query is invalid_request, not a manual task', async () => {
    const { flights, sink } = setup();
    const error = await flights.search({ ...query, origin: 'lhr' }).catch((e: unknown) => e);
    expect(isProviderError(error) && error).toMatchObject({
      code: 'invalid_request',
      fields: ['origin'],
    });
    expect(sink.tasks).toHaveLength(0);
  });
});

describe('price and book', () => {
  test('revalidates the price and books once per idempotency key', async () => {
    const { flights, fake } = setup();
    const { options } = await flights.search(query);
    const priced = await flights.price({ offerToken: options[0]!.offerToken });
    expect(priced).toMatchObject({
      fare: { amountMinor: 91240, currency: 'EUR' },
      priceChanged: false,
    });
    const input = { offerToken: priced.offerToken, travelers, idempotencyKey: 'trip_42:outbound' };
    const [a, b] = await Promise.all([flights.book(input), flights.book(input)]);
    const c = await flights.book(input);
    expect(a).toMatchObject({ status: 'confirmed', bookingReference: 'QZ0002' });
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    expect(fake.flightOrders).toHaveLength(1);
    const sentTraveler = (fake.flightOrders[0]!.body as { data: { travelers: unknown[] } }).data
      .travelers[0];
    expect(sentTraveler).toEqual({
      id: '1',
      dateOfBirth: '1980-04-02',
      name: { firstName: 'AYSE', lastName: 'YILMAZ' },
      gender: 'FEMALE',
      contact: { emailAddress: 'ayse.yilmaz@example.com' },
    });
  });

  test('reports a changed fare', async () => {
    const { flights, fake } = setup();
    const { options } = await flights.search(query);
    fake.priceIncrease = 25;
    const priced = await flights.price({ offerToken: options[1]!.offerToken });
    expect(priced).toMatchObject({ fare: { amountMinor: 34375 }, priceChanged: true });
  });

  test('a 5xx on order creation is not retried (no double booking) and goes to the Travel Desk', async () => {
    const { flights, fake, sink } = setup();
    const { options } = await flights.search(query);
    const burst = serverErrors({
      method: 'post',
      url: `${AMADEUS_API}/v1/booking/flight-orders`,
      times: 5,
    });
    server.use(burst.handler);
    const result = await flights.book({
      offerToken: options[0]!.offerToken,
      travelers,
      idempotencyKey: 'trip_42:x',
      subjectRef: 'trip_42',
    });
    expect(burst.hits).toBe(1);
    expect(fake.flightOrders).toHaveLength(0);
    expect(result).toEqual({ status: 'manual', manualTaskId: sink.tasks[0]!.id });
    expect(sink.tasks[0]!.summary).toContain('TK1980');
    expect(JSON.stringify(sink.tasks)).not.toMatch(/AYSE|YILMAZ|ayse\.yilmaz/);
  });

  test('booking revalidates the fare and refuses a changed one without booking', async () => {
    const { flights, fake, sink } = setup();
    const { options } = await flights.search(query);
    fake.priceIncrease = 40;
    const error = await flights
      .book({ offerToken: options[0]!.offerToken, travelers, idempotencyKey: 'trip_42:changed' })
      .catch((e: unknown) => e);
    expect(isProviderError(error) && error).toMatchObject({
      code: 'conflict',
      fields: ['offerToken'],
    });
    expect(fake.flightOrders).toHaveLength(0);
    expect(sink.tasks).toHaveLength(0);
    const pricingCalls = fake.requests.filter(
      (r) => r.path === '/v1/shopping/flight-offers/pricing',
    );
    expect(pricingCalls).toHaveLength(1);
  });

  test('a sold-out segment is `rejected`', async () => {
    const { flights, fake } = setup();
    const { options } = await flights.search(query);
    fake.soldOut.add('1');
    const error = await flights
      .book({ offerToken: options[0]!.offerToken, travelers, idempotencyKey: 'k1' })
      .catch((e: unknown) => e);
    expect(isProviderError(error) && error).toMatchObject({
      code: 'rejected',
      providerCode: '34651',
    });
    expect(JSON.stringify(error)).not.toContain('YILMAZ');
  });

  test('a forged offer token is invalid_request', async () => {
    const { flights } = setup();
    const error = await flights.price({ offerToken: 'not json!' }).catch((e: unknown) => e);
    expect(isProviderError(error) && error).toMatchObject({
      code: 'invalid_request',
      fields: ['offerToken'],
    });
  });
});

test('wrong client credentials are auth_failed without the secret', async () => {
  const { flights } = setup({ clientSecret: 'wrong-secret-value' });
  const error = await flights
    .price({ offerToken: Buffer.from('{"id":"1"}').toString('base64url') })
    .catch((e: unknown) => e);
  expect(isProviderError(error) && error).toMatchObject({
    code: 'auth_failed',
    providerCode: 'invalid_client',
  });
  expect(JSON.stringify(error)).not.toContain('wrong-secret-value');
});
