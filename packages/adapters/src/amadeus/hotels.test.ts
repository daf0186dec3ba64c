/** Amadeus hotels: stay normalisation and tags, booking data, Travel Desk fallback. */
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { InMemoryManualTaskSink } from '../core/manual-tasks.ts';
import { AMADEUS_API, FakeAmadeus } from '../testing/amadeus.ts';
import { serverErrors } from '../testing/failures.ts';
import { createAmadeusHotels } from './index.ts';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const setup = (withPayment = true) => {
  const fake = new FakeAmadeus();
  server.use(...fake.handlers());
  const sink = new InMemoryManualTaskSink();
  const hotels = createAmadeusHotels({
    clientId: fake.clientId,
    clientSecret: fake.clientSecret,
    sink,
    deskPhone: '+902120000000',
    policies: { retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 2 } },
    ...(withPayment
      ? {
          payment: async () => ({
            method: 'CREDIT_CARD',
            paymentCard: {
              paymentCardInfo: {
                vendorCode: 'VI',
                cardNumber: '4151289722471370',
                expiryDate: '2030-08',
              },
            },
          }),
        }
      : {}),
  });
  return { fake, sink, hotels };
};

const query = {
  latitude: 41.1,
  longitude: 29.02,
  radiusKm: 3,
  checkIn: '2026-12-01',
  checkOut: '2026-12-08',
  adults: 2,
  subjectRef: 'trip_42',
};
const guests = [
  { firstName: 'AYSE', lastName: 'YILMAZ' },
  { firstName: 'MEHMET', lastName: 'YILMAZ' },
];

test('normalises stays with distance, rating, nightly rate and tags, nearest first', async () => {
  const { hotels } = setup();
  const { options } = await hotels.search(query);
  expect(options.map(({ offerToken: _, ...rest }) => rest)).toEqual([
    {
      id: 'OFRTISTMAS01',
      name: 'Maslak Recovery Residence',
      kind: 'apartment',
      distanceKm: 0.4,
      rating: 4,
      nightlyRate: { amountMinor: 9000, currency: 'EUR' },
      tags: [
        'attendant_bed',
        'halal_kitchen',
        'kitchen',
        'accessible',
        'breakfast',
        'free_cancellation',
      ],
    },
    {
      id: 'OFHIISTLEV01',
      name: 'Levent Business Hotel',
      kind: 'hotel',
      distanceKm: 2.1,
      rating: 5,
      nightlyRate: { amountMinor: 12000, currency: 'EUR' },
      tags: [],
    },
  ]);
});

test('books with guests names and the desk contact only, once per key', async () => {
  const { hotels, fake } = setup();
  const { options } = await hotels.search(query);
  const input = {
    offerToken: options[0]!.offerToken,
    guests,
    contactEmail: 'desk@clinic.test',
    idempotencyKey: 'trip_42:stay',
  };
  const first = await hotels.book(input);
  const again = await hotels.book(input);
  expect(first).toEqual({ status: 'confirmed', bookingId: 'hb-2', confirmationNumber: 'CNF2' });
  expect(again).toEqual(first);
  expect(fake.hotelOrders).toHaveLength(1);
  const sent = fake.hotelOrders[0]!.body as {
    data: { guests: unknown[]; roomAssociations: unknown[] };
  };
  expect(sent.data.guests[0]).toEqual({
    tid: 1,
    firstName: 'AYSE',
    lastName: 'YILMAZ',
    email: 'desk@clinic.test',
    phone: '+902120000000',
  });
  expect(sent.data.roomAssociations).toEqual([
    { guestReferences: [{ guestReference: '1' }], hotelOfferId: 'OFRTISTMAS01' },
  ]);
});

test('without a payment source the booking is a Travel Desk task', async () => {
  const { hotels, sink, fake } = setup(false);
  const { options } = await hotels.search(query);
  const result = await hotels.book({
    offerToken: options[0]!.offerToken,
    guests,
    contactEmail: 'desk@clinic.test',
    idempotencyKey: 'k',
    subjectRef: 'trip_42',
  });
  expect(result).toEqual({ status: 'manual', manualTaskId: sink.tasks[0]!.id });
  expect(sink.tasks[0]!.summary).toContain('Maslak Recovery Residence');
  expect(JSON.stringify(sink.tasks)).not.toContain('YILMAZ');
  expect(fake.hotelOrders).toHaveLength(0);
});

test('Amadeus down during search → Travel Desk task', async () => {
  const { hotels, sink } = setup();
  server.use(
    serverErrors({ method: 'get', url: `${AMADEUS_API}/v3/shopping/hotel-offers`, times: 10 })
      .handler,
  );
  const result = await hotels.search(query);
  expect(result).toEqual({ options: [], manualTaskId: sink.tasks[0]!.id });
  expect(sink.tasks[0]).toMatchObject({
    operation: 'hotels.search',
    details: { checkIn: '2026-12-01', adults: 2 },
  });
});

test('Amadeus down during booking → one attempt, then a Travel Desk task without guest or card data', async () => {
  const { hotels, sink, fake } = setup();
  const { options } = await hotels.search(query);
  const outage = serverErrors({
    method: 'post',
    url: `${AMADEUS_API}/v2/booking/hotel-orders`,
    times: 10,
  });
  server.use(outage.handler);
  const result = await hotels.book({
    offerToken: options[0]!.offerToken,
    guests,
    contactEmail: 'desk@clinic.test',
    idempotencyKey: 'trip_42:stay',
    subjectRef: 'trip_42',
  });
  expect(result).toEqual({ status: 'manual', manualTaskId: sink.tasks[0]!.id });
  // The order may have been taken before the 5xx: never sent twice.
  expect(outage.hits).toBe(1);
  expect(fake.hotelOrders).toHaveLength(0);
  expect(sink.tasks[0]).toMatchObject({
    kind: 'travel',
    operation: 'hotels.book',
    subjectRef: 'trip_42',
    reason: 'provider_unavailable',
    details: { guests: 2, attempts: 1 },
  });
  expect(sink.tasks[0]!.summary).toContain('check for an existing booking');
  const recorded = JSON.stringify(sink.tasks);
  for (const secret of ['YILMAZ', 'AYSE', '4151289722471370', 'desk@clinic.test'])
    expect(recorded).not.toContain(secret);
});
