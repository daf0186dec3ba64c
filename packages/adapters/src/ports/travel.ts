/**
 * The `FlightSearch` and `HotelSearch` ports, with normalised options that
 * read the same whatever the supplier: a flight option (airline, flight
 * number, times, duration, stops, cabin, indicative fare, tags) and a stay
 * option (name, kind, distance, rating, nightly rate, tags such as attendant
 * bed and halal kitchen).
 */
import { z } from 'zod';
import { CallMetaSchema, CurrencySchema, MoneySchema, ReferenceSchema } from './common.ts';

const Iata = z.string().regex(/^[A-Z]{3}$/, 'IATA code');
const IsoDate = z.iso.date();

/**
 * Cabin class.
 *
 * @example
 * CabinSchema.parse('business');
 */
export const CabinSchema = z.enum(['economy', 'premium_economy', 'business', 'first']);

/**
 * A flight search. `subjectRef` names the trip for manual fallback tasks.
 *
 * @example
 * FlightQuerySchema.parse({ origin: 'LHR', destination: 'IST', departureDate: '2026-12-01', adults: 1 });
 */
export const FlightQuerySchema = z.object({
  origin: Iata,
  destination: Iata,
  departureDate: IsoDate,
  returnDate: IsoDate.optional(),
  adults: z.number().int().min(1).max(9),
  cabin: CabinSchema.optional(),
  nonStop: z.boolean().optional(),
  currency: CurrencySchema.optional(),
  max: z.number().int().min(1).max(50).default(20),
  subjectRef: ReferenceSchema.optional(),
  correlationId: z.string().optional(),
});

/**
 * A normalised flight option (first itinerary, i.e. the outbound journey).
 * `offerToken` is opaque and is handed back to price or book the option.
 *
 * @example
 * const option: FlightOption = (await flights.search(query)).options[0]!;
 */
export const FlightOptionSchema = z.object({
  id: z.string(),
  airline: z.string(),
  flightNumber: z.string(),
  depart: z.object({ airport: z.string(), at: z.string() }),
  arrive: z.object({ airport: z.string(), at: z.string() }),
  durationMinutes: z.number().int().nonnegative(),
  stops: z.number().int().nonnegative(),
  cabin: CabinSchema,
  indicativeFare: MoneySchema,
  tags: z.array(z.enum(['non_stop', 'refundable', 'checked_bag', 'last_seats'])),
  offerToken: z.string(),
});

/**
 * Result of a search: options, or a manual task when the supplier was down.
 *
 * @example
 * const { options, manualTaskId } = await flights.search(query);
 */
export const FlightSearchResultSchema = z.object({
  options: z.array(FlightOptionSchema),
  manualTaskId: z.string().optional(),
});

/**
 * A traveller as the airline needs it for ticketing — nothing more.
 *
 * @example
 * TravelerSchema.parse({ id: '1', firstName: 'AYSE', lastName: 'YILMAZ', dateOfBirth: '1980-01-01' });
 */
export const TravelerSchema = z.object({
  id: z.string().min(1),
  firstName: z.string().min(1).max(64),
  lastName: z.string().min(1).max(64),
  dateOfBirth: IsoDate,
  gender: z.enum(['MALE', 'FEMALE']).optional(),
  email: z.email().optional(),
  phone: z
    .object({
      countryCallingCode: z.string().regex(/^[1-9]\d{0,3}$/),
      number: z.string().regex(/^\d{4,14}$/),
    })
    .optional(),
});

/**
 * A flight booking request. The idempotency key guards against booking twice.
 *
 * @example
 * FlightBookingInputSchema.parse({ offerToken, travelers: [traveler], idempotencyKey: 'trip_1:outbound' });
 */
export const FlightBookingInputSchema = z.object({
  offerToken: z.string().min(1),
  travelers: z.array(TravelerSchema).min(1).max(9),
  idempotencyKey: z.string().min(1).max(255),
  subjectRef: ReferenceSchema.optional(),
  correlationId: z.string().optional(),
});

/**
 * Outcome of pricing revalidation before booking.
 *
 * @example
 * const priced: PricedFlight = await flights.price({ offerToken });
 */
export const PricedFlightSchema = z.object({
  offerToken: z.string(),
  fare: MoneySchema,
  /** True when the confirmed fare differs from the indicative one: ask before booking. */
  priceChanged: z.boolean(),
});

/**
 * A confirmed flight order, or a manual task when booking went to the Travel Desk.
 *
 * @example
 * const booking: FlightBooking = await flights.book(input);
 */
export const FlightBookingSchema = z.object({
  status: z.enum(['confirmed', 'manual']),
  orderId: z.string().optional(),
  bookingReference: z.string().optional(),
  manualTaskId: z.string().optional(),
});

/**
 * A hotel search near the clinic.
 *
 * @example
 * StayQuerySchema.parse({ latitude: 41.04, longitude: 29.0, radiusKm: 5, checkIn: '2026-12-01', checkOut: '2026-12-08', adults: 2 });
 */
export const StayQuerySchema = z.object({
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
  radiusKm: z.number().positive().max(50).default(5),
  checkIn: IsoDate,
  checkOut: IsoDate,
  adults: z.number().int().min(1).max(9),
  currency: CurrencySchema.optional(),
  max: z.number().int().min(1).max(50).default(20),
  subjectRef: ReferenceSchema.optional(),
  correlationId: z.string().optional(),
});

/**
 * Tags a patient's companion or a recovering patient cares about.
 *
 * @example
 * StayTagSchema.parse('attendant_bed');
 */
export const StayTagSchema = z.enum([
  'attendant_bed',
  'halal_kitchen',
  'kitchen',
  'accessible',
  'breakfast',
  'free_cancellation',
]);

/**
 * A normalised stay option.
 *
 * @example
 * const stay: StayOption = (await hotels.search(query)).options[0]!;
 */
export const StayOptionSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['hotel', 'apartment', 'recovery_residence']),
  distanceKm: z.number().nonnegative().optional(),
  rating: z.number().min(0).max(5).optional(),
  nightlyRate: MoneySchema,
  tags: z.array(StayTagSchema),
  offerToken: z.string(),
});

/**
 * Result of a stay search.
 *
 * @example
 * const { options } = await hotels.search(query);
 */
export const StaySearchResultSchema = z.object({
  options: z.array(StayOptionSchema),
  manualTaskId: z.string().optional(),
});

/**
 * A stay booking request; guests' names only (no contact detail beyond one email).
 *
 * @example
 * StayBookingInputSchema.parse({ offerToken, guests: [{ firstName: 'AYSE', lastName: 'YILMAZ' }], contactEmail: 'desk@clinic.test', idempotencyKey: 'trip_1:stay' });
 */
export const StayBookingInputSchema = CallMetaSchema.extend({
  offerToken: z.string().min(1),
  guests: z
    .array(z.object({ firstName: z.string().min(1).max(64), lastName: z.string().min(1).max(64) }))
    .min(1)
    .max(9),
  /** The clinic's travel desk address, not the patient's. */
  contactEmail: z.email(),
  idempotencyKey: z.string().min(1).max(255),
  subjectRef: ReferenceSchema.optional(),
});

/**
 * A confirmed stay, or a manual task.
 *
 * @example
 * const booking: StayBooking = await hotels.book(input);
 */
export const StayBookingSchema = z.object({
  status: z.enum(['confirmed', 'manual']),
  bookingId: z.string().optional(),
  confirmationNumber: z.string().optional(),
  manualTaskId: z.string().optional(),
});

/** @example const cabin: Cabin = 'economy'; */
export type Cabin = z.infer<typeof CabinSchema>;
/** @example const query: FlightQuery = { origin: 'LHR', destination: 'IST', departureDate: '2026-12-01', adults: 1 }; */
export type FlightQuery = z.input<typeof FlightQuerySchema>;
/** @example const option: FlightOption = result.options[0]!; */
export type FlightOption = z.infer<typeof FlightOptionSchema>;
/** @example const result: FlightSearchResult = await flights.search(query); */
export type FlightSearchResult = z.infer<typeof FlightSearchResultSchema>;
/** @example const traveler: Traveler = { id: '1', firstName: 'A', lastName: 'B', dateOfBirth: '1980-01-01' }; */
export type Traveler = z.infer<typeof TravelerSchema>;
/** @example const input: FlightBookingInput = { offerToken, travelers, idempotencyKey: 'trip_1' }; */
export type FlightBookingInput = z.input<typeof FlightBookingInputSchema>;
/** @example const priced: PricedFlight = await flights.price({ offerToken }); */
export type PricedFlight = z.infer<typeof PricedFlightSchema>;
/** @example const booking: FlightBooking = await flights.book(input); */
export type FlightBooking = z.infer<typeof FlightBookingSchema>;
/** @example const query: StayQuery = { latitude: 41, longitude: 29, checkIn: '2026-12-01', checkOut: '2026-12-05', adults: 1 }; */
export type StayQuery = z.input<typeof StayQuerySchema>;
/** @example const tag: StayTag = 'halal_kitchen'; */
export type StayTag = z.infer<typeof StayTagSchema>;
/** @example const stay: StayOption = result.options[0]!; */
export type StayOption = z.infer<typeof StayOptionSchema>;
/** @example const result: StaySearchResult = await hotels.search(query); */
export type StaySearchResult = z.infer<typeof StaySearchResultSchema>;
/** @example const input: StayBookingInput = { offerToken, guests, contactEmail: 'desk@clinic.test', idempotencyKey: 'k' }; */
export type StayBookingInput = z.input<typeof StayBookingInputSchema>;
/** @example const booking: StayBooking = await hotels.book(input); */
export type StayBooking = z.infer<typeof StayBookingSchema>;

/**
 * Flight supplier. `search` and `book` fall back to the Travel Desk (a manual
 * task) when the supplier is unavailable; `price` revalidates before booking.
 *
 * @example
 * const { options } = await flights.search({ origin: 'LHR', destination: 'IST', departureDate: '2026-12-01', adults: 1 });
 * const priced = await flights.price({ offerToken: options[0]!.offerToken });
 */
export interface FlightSearch {
  readonly provider: string;
  search(query: FlightQuery): Promise<FlightSearchResult>;
  price(input: { offerToken: string; correlationId?: string }): Promise<PricedFlight>;
  book(input: FlightBookingInput): Promise<FlightBooking>;
}

/**
 * Stay supplier, with the same Travel Desk fallback.
 *
 * @example
 * const { options } = await hotels.search({ latitude: 41.04, longitude: 29, checkIn: '2026-12-01', checkOut: '2026-12-08', adults: 2 });
 */
export interface HotelSearch {
  readonly provider: string;
  search(query: StayQuery): Promise<StaySearchResult>;
  book(input: StayBookingInput): Promise<StayBooking>;
}
