/**
 * `FlightSearch` on Amadeus Self-Service: Flight Offers Search, Flight Offers
 * Price (revalidation before booking) and Flight Create Orders (guarded by an
 * idempotency key). Offers are normalised to `FlightOption`; when Amadeus is
 * unavailable, search and booking become Travel Desk tasks.
 */
import { z } from 'zod';
import { correlation } from '../core/call-keys.ts';
import type { ProviderClient } from '../core/client.ts';
import { ProviderError } from '../core/errors.ts';
import { withManualFallback } from '../core/manual-tasks.ts';
import { toMinorUnits } from '../core/money.ts';
import {
  type Cabin,
  FlightBookingInputSchema,
  type FlightOption,
  FlightQuerySchema,
  type FlightSearch,
} from '../ports/travel.ts';
import { parseInput } from '../ports/validate.ts';
import { type AmadeusOptions, createAmadeusClient } from './client.ts';
import { decodeOfferToken, durationMinutes, encodeOfferToken } from './offer-token.ts';
import { travelDeskTask } from './travel-desk.ts';

const Segment = z.object({
  departure: z.object({ iataCode: z.string(), at: z.string() }),
  arrival: z.object({ iataCode: z.string(), at: z.string() }),
  carrierCode: z.string(),
  number: z.string(),
  numberOfStops: z.number().int().optional(),
});

const Offer = z.looseObject({
  id: z.string(),
  numberOfBookableSeats: z.number().int().optional(),
  itineraries: z
    .array(z.object({ duration: z.string().optional(), segments: z.array(Segment).min(1) }))
    .min(1),
  price: z.looseObject({
    currency: z.string(),
    grandTotal: z.string().optional(),
    total: z.string(),
  }),
  pricingOptions: z.looseObject({ refundableFare: z.boolean().optional() }).optional(),
  travelerPricings: z
    .array(
      z.looseObject({
        fareDetailsBySegment: z.array(
          z.looseObject({
            cabin: z.string().optional(),
            includedCheckedBags: z
              .object({ quantity: z.number().optional(), weight: z.number().optional() })
              .optional(),
          }),
        ),
      }),
    )
    .optional(),
});

const SearchResponse = z.object({
  data: z.array(z.unknown()),
  dictionaries: z.object({ carriers: z.record(z.string(), z.string()).optional() }).optional(),
});

const PricingResponse = z.object({
  data: z.object({ flightOffers: z.array(z.unknown()).min(1) }),
});

const OrderResponse = z.object({
  data: z.object({
    id: z.string(),
    associatedRecords: z.array(z.object({ reference: z.string() })).optional(),
  }),
});

const CABINS: Record<string, Cabin> = {
  ECONOMY: 'economy',
  PREMIUM_ECONOMY: 'premium_economy',
  BUSINESS: 'business',
  FIRST: 'first',
};

const fare = (offer: z.infer<typeof Offer>) => ({
  amountMinor: toMinorUnits(offer.price.grandTotal ?? offer.price.total, offer.price.currency),
  currency: offer.price.currency,
});

/**
 * Normalises one Amadeus flight offer (its first itinerary).
 *
 * @example
 * const option = toFlightOption(offer, { TK: 'TURKISH AIRLINES' });
 */
export function toFlightOption(
  raw: unknown,
  carriers: Record<string, string> = {},
): FlightOption | undefined {
  const parsed = Offer.safeParse(raw);
  if (!parsed.success) return undefined;
  const offer = parsed.data;
  const itinerary = offer.itineraries[0]!;
  const first = itinerary.segments[0]!;
  const last = itinerary.segments.at(-1)!;
  const stops =
    itinerary.segments.length -
    1 +
    itinerary.segments.reduce((sum, s) => sum + (s.numberOfStops ?? 0), 0);
  const fareDetails = offer.travelerPricings?.[0]?.fareDetailsBySegment[0];
  const bags = fareDetails?.includedCheckedBags;
  const tags: FlightOption['tags'] = [];
  if (stops === 0) tags.push('non_stop');
  if (offer.pricingOptions?.refundableFare) tags.push('refundable');
  if ((bags?.quantity ?? 0) > 0 || (bags?.weight ?? 0) > 0) tags.push('checked_bag');
  if (offer.numberOfBookableSeats !== undefined && offer.numberOfBookableSeats <= 3)
    tags.push('last_seats');
  const minutes = itinerary.duration
    ? durationMinutes(itinerary.duration)
    : Math.round((Date.parse(last.arrival.at) - Date.parse(first.departure.at)) / 60_000);
  return {
    id: offer.id,
    airline: carriers[first.carrierCode] ?? first.carrierCode,
    flightNumber: `${first.carrierCode}${first.number}`,
    depart: { airport: first.departure.iataCode, at: first.departure.at },
    arrive: { airport: last.arrival.iataCode, at: last.arrival.at },
    durationMinutes: Math.max(0, minutes),
    stops,
    cabin: CABINS[fareDetails?.cabin ?? ''] ?? 'economy',
    indicativeFare: fare(offer),
    tags,
    offerToken: encodeOfferToken(raw),
  };
}

/**
 * Creates the Amadeus {@link FlightSearch}.
 *
 * @example
 * const flights = createAmadeusFlights({ clientId, clientSecret, sink });
 * const { options } = await flights.search({ origin: 'LHR', destination: 'IST', departureDate: '2026-12-01', adults: 1 });
 * const priced = await flights.price({ offerToken: options[0]!.offerToken });
 * if (!priced.priceChanged) await flights.book({ offerToken: priced.offerToken, travelers, idempotencyKey: 'trip_1:outbound' });
 */
export function createAmadeusFlights(options: AmadeusOptions): FlightSearch {
  const client: ProviderClient = createAmadeusClient(options);

  /** Flight Offers Price: the supplier's current fare for an offer, and whether it moved. */
  async function reprice(
    offer: Record<string, unknown>,
    operation: string,
    correlationId?: string,
  ) {
    const response = await client.json({
      operation: 'flights.price',
      method: 'post',
      path: '/v1/shopping/flight-offers/pricing',
      headers: { 'X-HTTP-Method-Override': 'GET' },
      json: { data: { type: 'flight-offers-pricing', flightOffers: [offer] } },
      readOnly: true,
      schema: PricingResponse,
      ...(correlationId ? { correlationId } : {}),
    });
    const pricedRaw = response.data.flightOffers[0];
    const priced = Offer.safeParse(pricedRaw);
    if (!priced.success) {
      throw new ProviderError({
        code: 'provider_unavailable',
        provider: 'amadeus',
        operation,
        message:
          'The supplier answered pricing with an unexpected shape; an operator should check the integration.',
      });
    }
    const before = Offer.safeParse(offer);
    const now = fare(priced.data);
    const was = before.success ? fare(before.data) : undefined;
    return {
      offer: pricedRaw as Record<string, unknown>,
      fare: now,
      changed: !was || was.amountMinor !== now.amountMinor || was.currency !== now.currency,
    };
  }

  return {
    provider: 'amadeus',

    async search(raw) {
      const query = parseInput(FlightQuerySchema, raw, 'amadeus', 'flights.search');
      return withManualFallback(
        {
          sink: options.sink,
          task: travelDeskTask(
            'flights.search',
            query,
            `Travel Desk: find flights ${query.origin}→${query.destination} on ${query.departureDate}${query.returnDate ? `, back ${query.returnDate}` : ''} for ${query.adults} adult(s).`,
            {
              origin: query.origin,
              destination: query.destination,
              departureDate: query.departureDate,
              adults: query.adults,
            },
          ),
        },
        async () => {
          const response = await client.json({
            operation: 'flights.search',
            path: '/v2/shopping/flight-offers',
            searchParams: {
              originLocationCode: query.origin,
              destinationLocationCode: query.destination,
              departureDate: query.departureDate,
              returnDate: query.returnDate,
              adults: query.adults,
              travelClass: query.cabin?.toUpperCase(),
              nonStop: query.nonStop,
              currencyCode: query.currency,
              max: query.max,
            },
            schema: SearchResponse,
            ...correlation(query),
          });
          const carriers = response.dictionaries?.carriers ?? {};
          const options = response.data.flatMap((offer) => toFlightOption(offer, carriers) ?? []);
          return { options };
        },
        (task) => ({ options: [], manualTaskId: task.id }),
      );
    },

    async price(raw) {
      const input = parseInput(
        z.object({ offerToken: z.string().min(1), correlationId: z.string().optional() }),
        raw,
        'amadeus',
        'flights.price',
      );
      const offer = decodeOfferToken(input.offerToken, 'flights.price');
      const repriced = await reprice(offer, 'flights.price', input.correlationId);
      return {
        offerToken: encodeOfferToken(repriced.offer),
        fare: repriced.fare,
        priceChanged: repriced.changed,
      };
    },

    async book(raw) {
      const input = parseInput(FlightBookingInputSchema, raw, 'amadeus', 'flights.book');
      const offer = decodeOfferToken(input.offerToken, 'flights.book');
      const option = toFlightOption(offer);
      return withManualFallback(
        {
          sink: options.sink,
          task: travelDeskTask(
            'flights.book',
            input,
            `Travel Desk: book ${option ? `${option.flightNumber} ${option.depart.airport}→${option.arrive.airport} ${option.depart.at}` : 'the selected flight'} for ${input.travelers.length} traveller(s). If the supplier timed out, check for an existing order before booking.`,
            { idempotencyKey: input.idempotencyKey, travelers: input.travelers.length },
          ),
        },
        async () => {
          // Revalidate before booking: never book a fare the traveller was not shown.
          const repriced = await reprice(offer, 'flights.book', input.correlationId);
          if (repriced.changed) {
            throw new ProviderError({
              code: 'conflict',
              provider: 'amadeus',
              operation: 'flights.book',
              fields: ['offerToken'],
              message:
                'The fare changed since this offer was shown; price it again and confirm with the traveller.',
            });
          }
          const order = await client.json({
            operation: 'flights.book',
            method: 'post',
            path: '/v1/booking/flight-orders',
            idempotencyKey: input.idempotencyKey,
            json: {
              data: {
                type: 'flight-order',
                flightOffers: [repriced.offer],
                // Only what ticketing needs: name, birth date, gender, one contact.
                travelers: input.travelers.map((t) => ({
                  id: t.id,
                  dateOfBirth: t.dateOfBirth,
                  name: { firstName: t.firstName, lastName: t.lastName },
                  ...(t.gender ? { gender: t.gender } : {}),
                  ...(t.email || t.phone
                    ? {
                        contact: {
                          ...(t.email ? { emailAddress: t.email } : {}),
                          ...(t.phone ? { phones: [{ deviceType: 'MOBILE', ...t.phone }] } : {}),
                        },
                      }
                    : {}),
                })),
              },
            },
            schema: OrderResponse,
            ...correlation(input),
          });
          const reference = order.data.associatedRecords?.[0]?.reference;
          return {
            status: 'confirmed' as const,
            orderId: order.data.id,
            ...(reference ? { bookingReference: reference } : {}),
          };
        },
        (task) => ({ status: 'manual' as const, manualTaskId: task.id }),
      );
    },
  };
}
