/**
 * `HotelSearch` on Amadeus Self-Service: Hotel List (by geocode, around the
 * clinic), Hotel Search (offers) and Hotel Booking. Offers are normalised to
 * `StayOption` with tags a companion or a recovering patient looks for.
 * Bookings send the guests' names and the Travel Desk's contact — never the
 * patient's — and go to the Travel Desk when no payment source is configured
 * or Amadeus is unavailable.
 */
import { z } from 'zod';
import { correlation } from '../core/call-keys.ts';
import type { ProviderClient } from '../core/client.ts';
import { ProviderError } from '../core/errors.ts';
import { withManualFallback } from '../core/manual-tasks.ts';
import { toMinorUnits } from '../core/money.ts';
import {
  type HotelSearch,
  StayBookingInputSchema,
  type StayOption,
  StayQuerySchema,
  type StayTag,
} from '../ports/travel.ts';
import { parseInput } from '../ports/validate.ts';
import { type AmadeusOptions, createAmadeusClient } from './client.ts';
import { decodeOfferToken, encodeOfferToken } from './offer-token.ts';
import { travelDeskTask } from './travel-desk.ts';

const HotelList = z.object({
  data: z.array(
    z.looseObject({
      hotelId: z.string(),
      name: z.string(),
      distance: z.object({ value: z.number(), unit: z.string() }).optional(),
      rating: z.union([z.string(), z.number()]).optional(),
      amenities: z.array(z.string()).optional(),
    }),
  ),
});

const HotelOffer = z.looseObject({
  id: z.string(),
  checkInDate: z.string().optional(),
  checkOutDate: z.string().optional(),
  boardType: z.string().optional(),
  room: z
    .looseObject({
      typeEstimated: z
        .looseObject({
          category: z.string().optional(),
          beds: z.number().optional(),
          bedType: z.string().optional(),
        })
        .optional(),
      description: z.looseObject({ text: z.string().optional() }).optional(),
    })
    .optional(),
  price: z.looseObject({
    currency: z.string(),
    total: z.string(),
    base: z.string().optional(),
    variations: z
      .looseObject({
        average: z
          .looseObject({ base: z.string().optional(), total: z.string().optional() })
          .optional(),
      })
      .optional(),
  }),
  policies: z
    .looseObject({
      refundable: z.looseObject({ cancellationRefund: z.string().optional() }).optional(),
    })
    .optional(),
});

const OffersResponse = z.object({
  data: z.array(
    z.looseObject({
      hotel: z.looseObject({ hotelId: z.string(), name: z.string() }),
      available: z.boolean().optional(),
      offers: z.array(z.unknown()).optional(),
    }),
  ),
});

const BookingResponse = z.object({
  data: z.looseObject({
    id: z.string(),
    hotelBookings: z
      .array(
        z.looseObject({
          id: z.string().optional(),
          bookingStatus: z.string().optional(),
          hotelProviderInformation: z
            .array(z.looseObject({ confirmationNumber: z.string().optional() }))
            .optional(),
        }),
      )
      .optional(),
  }),
});

/**
 * Settings on top of {@link AmadeusOptions}.
 *
 * @example
 * const options: AmadeusHotelOptions = { clientId, clientSecret, sink, deskPhone: '+902120000000', payment: async () => virtualCard };
 */
export interface AmadeusHotelOptions extends AmadeusOptions {
  /** The Travel Desk phone Amadeus requires on each guest (instead of the patient's). */
  deskPhone?: string;
  /**
   * The payment source for bookings (e.g. the agency's virtual card), fetched
   * per booking so it is never held in memory. Without it, bookings are
   * Travel Desk tasks.
   */
  payment?: () => Promise<Record<string, unknown>>;
}

const nights = (checkIn: string, checkOut: string) =>
  Math.max(1, Math.round((Date.parse(checkOut) - Date.parse(checkIn)) / 86_400_000));

const TAG_PATTERNS: Array<[StayTag, RegExp]> = [
  ['attendant_bed', /sofa ?bed|extra bed|rollaway|companion bed|attendant/i],
  ['halal_kitchen', /halal/i],
  ['kitchen', /kitchen/i],
  ['accessible', /accessib|wheelchair|roll-in/i],
];

/**
 * Normalises one hotel offer.
 *
 * @example
 * const stay = toStayOption(offer, { name: 'Clinic Residence', distanceKm: 0.4, rating: 4 }, { checkIn, checkOut });
 */
export function toStayOption(
  raw: unknown,
  hotel: {
    name: string;
    distanceKm?: number | undefined;
    rating?: number | undefined;
    amenities?: readonly string[];
  },
  stay: { checkIn: string; checkOut: string },
): StayOption | undefined {
  const parsed = HotelOffer.safeParse(raw);
  if (!parsed.success) return undefined;
  const offer = parsed.data;
  const currency = offer.price.currency;
  const averageBase =
    offer.price.variations?.average?.base ?? offer.price.variations?.average?.total;
  let nightlyRate: number;
  try {
    nightlyRate = averageBase
      ? toMinorUnits(averageBase, currency)
      : Math.round(toMinorUnits(offer.price.total, currency) / nights(stay.checkIn, stay.checkOut));
  } catch {
    return undefined;
  }
  const text = [offer.room?.description?.text ?? '', ...(hotel.amenities ?? [])].join(' ');
  const tags = new Set<StayTag>();
  for (const [tag, pattern] of TAG_PATTERNS) if (pattern.test(text)) tags.add(tag);
  if ((offer.room?.typeEstimated?.beds ?? 1) >= 2) tags.add('attendant_bed');
  if (/BREAKFAST|HALF_BOARD|FULL_BOARD|ALL_INCLUSIVE/.test(offer.boardType ?? ''))
    tags.add('breakfast');
  if (offer.policies?.refundable?.cancellationRefund === 'REFUNDABLE_UP_TO_DEADLINE')
    tags.add('free_cancellation');
  const category = offer.room?.typeEstimated?.category ?? '';
  const kind =
    /APARTMENT|STUDIO/.test(category) || /apart|residence/i.test(hotel.name)
      ? 'apartment'
      : 'hotel';
  return {
    id: offer.id,
    name: hotel.name,
    kind,
    ...(hotel.distanceKm !== undefined ? { distanceKm: hotel.distanceKm } : {}),
    ...(hotel.rating !== undefined ? { rating: hotel.rating } : {}),
    nightlyRate: { amountMinor: nightlyRate, currency },
    tags: [...tags],
    offerToken: encodeOfferToken({ offerId: offer.id, hotelName: hotel.name }),
  };
}

/**
 * Creates the Amadeus {@link HotelSearch}.
 *
 * @example
 * const hotels = createAmadeusHotels({ clientId, clientSecret, sink, deskPhone: '+902120000000' });
 * const { options } = await hotels.search({ latitude: 41.1, longitude: 29.02, radiusKm: 3, checkIn: '2026-12-01', checkOut: '2026-12-08', adults: 2 });
 */
export function createAmadeusHotels(options: AmadeusHotelOptions): HotelSearch {
  const client: ProviderClient = createAmadeusClient(options);

  return {
    provider: 'amadeus',

    async search(raw) {
      const query = parseInput(StayQuerySchema, raw, 'amadeus', 'hotels.search');
      return withManualFallback(
        {
          sink: options.sink,
          task: travelDeskTask(
            'hotels.search',
            query,
            `Travel Desk: find a stay within ${query.radiusKm} km of the clinic, ${query.checkIn} to ${query.checkOut}, ${query.adults} adult(s).`,
            {
              checkIn: query.checkIn,
              checkOut: query.checkOut,
              adults: query.adults,
              radiusKm: query.radiusKm,
            },
          ),
        },
        async () => {
          const meta = correlation(query);
          const list = await client.json({
            operation: 'hotels.list',
            path: '/v1/reference-data/locations/hotels/by-geocode',
            searchParams: {
              latitude: query.latitude,
              longitude: query.longitude,
              radius: Math.ceil(query.radiusKm),
              radiusUnit: 'KM',
            },
            schema: HotelList,
            ...meta,
          });
          const hotels = list.data.slice(0, query.max);
          if (hotels.length === 0) return { options: [] };
          const byId = new Map(hotels.map((h) => [h.hotelId, h]));
          const offers = await client.json({
            operation: 'hotels.offers',
            path: '/v3/shopping/hotel-offers',
            searchParams: {
              hotelIds: hotels.map((h) => h.hotelId).join(','),
              adults: query.adults,
              checkInDate: query.checkIn,
              checkOutDate: query.checkOut,
              currency: query.currency,
              bestRateOnly: true,
            },
            schema: OffersResponse,
            ...meta,
          });
          const stays = offers.data.flatMap((entry) => {
            const listed = byId.get(entry.hotel.hotelId);
            const rating = listed?.rating !== undefined ? Number(listed.rating) : undefined;
            const hotel = {
              name: entry.hotel.name,
              distanceKm: listed?.distance?.unit === 'KM' ? listed.distance.value : undefined,
              rating: rating !== undefined && rating >= 0 && rating <= 5 ? rating : undefined,
              amenities: listed?.amenities ?? [],
            };
            return (entry.offers ?? []).flatMap((offer) => toStayOption(offer, hotel, query) ?? []);
          });
          stays.sort((a, b) => (a.distanceKm ?? Infinity) - (b.distanceKm ?? Infinity));
          return { options: stays };
        },
        (task) => ({ options: [], manualTaskId: task.id }),
      );
    },

    async book(raw) {
      const input = parseInput(StayBookingInputSchema, raw, 'amadeus', 'hotels.book');
      const token = decodeOfferToken(input.offerToken, 'hotels.book');
      const offerId = typeof token.offerId === 'string' ? token.offerId : undefined;
      const hotelName =
        typeof token.hotelName === 'string' ? token.hotelName : 'the selected hotel';
      const task = travelDeskTask(
        'hotels.book',
        input,
        `Travel Desk: book ${hotelName} for ${input.guests.length} guest(s). If the supplier timed out, check for an existing booking first.`,
        { idempotencyKey: input.idempotencyKey, guests: input.guests.length },
      );
      return withManualFallback(
        {
          sink: options.sink,
          task,
          // Without a payment source every booking is the Travel Desk's.
          shouldFallback: (error) => error.transient || error.fields.includes('payment'),
        },
        async () => {
          const refuse = (field: string) =>
            new ProviderError({
              code: 'invalid_request',
              provider: 'amadeus',
              operation: 'hotels.book',
              fields: [field],
            });
          if (!offerId) throw refuse('offerToken');
          if (!options.payment) throw refuse('payment');
          const payment = await options.payment();
          const order = await client.json({
            operation: 'hotels.book',
            method: 'post',
            path: '/v2/booking/hotel-orders',
            idempotencyKey: input.idempotencyKey,
            json: {
              data: {
                type: 'hotel-order',
                guests: input.guests.map((g, i) => ({
                  tid: i + 1,
                  firstName: g.firstName,
                  lastName: g.lastName,
                  email: input.contactEmail,
                  ...(options.deskPhone ? { phone: options.deskPhone } : {}),
                })),
                travelAgent: { contact: { email: input.contactEmail } },
                roomAssociations: [
                  { guestReferences: [{ guestReference: '1' }], hotelOfferId: offerId },
                ],
                payment,
              },
            },
            schema: BookingResponse,
            ...correlation(input),
          });
          const booking = order.data.hotelBookings?.[0];
          const confirmation = booking?.hotelProviderInformation?.[0]?.confirmationNumber;
          return {
            status: 'confirmed' as const,
            bookingId: booking?.id ?? order.data.id,
            ...(confirmation ? { confirmationNumber: confirmation } : {}),
          };
        },
        (created) => ({ status: 'manual' as const, manualTaskId: created.id }),
      );
    },
  };
}
