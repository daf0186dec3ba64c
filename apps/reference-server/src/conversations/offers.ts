/**
 * Flight offers for a case: an Amadeus search through the `FlightSearch`
 * port, its normalised options recorded as `travel.offer.generated` so
 * partners can present them. The event keeps what a partner shows (flight
 * number, times, stops, cabin, fare, tags), not the opaque offer token nor
 * the airline's display name (the flight number starts with its code),
 * and at most 20 options with the count found. When Amadeus cannot serve,
 * the adapter has already left a manual task for the Travel Desk and no
 * event is recorded.
 */
import type { FlightOption, FlightSearch } from '@clinicbridge/adapters';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { recordEvent } from '../kernel/outbox.ts';

/** Options carried by one event. */
const MAX_EVENT_FLIGHTS = 20;
const CODE = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/;
const REF = /^[A-Za-z0-9][A-Za-z0-9._:/+=#@-]{0,127}$/;
const LOCAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?$/;

/**
 * A search for a case, as the operator (or a caller) gives it.
 *
 * @example
 * const request: FlightOfferRequest = { tenantId: 'ten_…', caseId: 'case_42', origin: 'LHR', destination: 'IST', departureDate: '2026-12-01', adults: 1 };
 */
export interface FlightOfferRequest {
  readonly tenantId: string;
  readonly caseId: string;
  readonly origin: string;
  readonly destination: string;
  readonly departureDate: string;
  readonly returnDate?: string;
  readonly adults: number;
}

/**
 * What a search gave: the options and the event, or the manual task left
 * for the Travel Desk.
 *
 * @example
 * const outcome: FlightOfferOutcome = await searchFlightOffers(db, flights, request, new Date());
 */
export type FlightOfferOutcome =
  | {
      readonly kind: 'offered';
      readonly options: readonly FlightOption[];
      readonly eventId: string;
    }
  | { readonly kind: 'none' }
  | { readonly kind: 'manual'; readonly manualTaskId: string };

/** An option as the event carries it; null when the supplier's values do not fit the catalogue. */
function eventFlight(option: FlightOption) {
  const fits =
    REF.test(option.id) &&
    CODE.test(option.flightNumber) &&
    CODE.test(option.depart.airport) &&
    CODE.test(option.arrive.airport) &&
    LOCAL_TIME.test(option.depart.at) &&
    LOCAL_TIME.test(option.arrive.at);
  if (!fits) return null;
  return {
    id: option.id,
    flightNumber: option.flightNumber,
    depart: option.depart,
    arrive: option.arrive,
    durationMinutes: option.durationMinutes,
    stops: option.stops,
    cabin: option.cabin,
    fare: { amount: option.indicativeFare.amountMinor, currency: option.indicativeFare.currency },
    tags: option.tags,
  };
}

/**
 * Searches flights for a case and records `travel.offer.generated` with the
 * options found (none found: no event; Amadeus unavailable: the manual task).
 *
 * @example
 * const outcome = await searchFlightOffers(db, providers.travel.flights, request, new Date());
 */
export async function searchFlightOffers(
  db: Kysely<DB>,
  flights: FlightSearch,
  request: FlightOfferRequest,
  now: Date,
): Promise<FlightOfferOutcome> {
  const result = await flights.search({
    origin: request.origin,
    destination: request.destination,
    departureDate: request.departureDate,
    ...(request.returnDate ? { returnDate: request.returnDate } : {}),
    adults: request.adults,
    max: 50,
    subjectRef: request.caseId,
  });
  if (result.manualTaskId) return { kind: 'manual', manualTaskId: result.manualTaskId };
  const shown = result.options
    .map(eventFlight)
    .filter((f) => f !== null)
    .slice(0, MAX_EVENT_FLIGHTS);
  if (shown.length === 0) return { kind: 'none' };
  const event = await db.transaction().execute((trx) =>
    recordEvent(trx, {
      tenantId: request.tenantId,
      type: 'travel.offer.generated',
      entityType: 'case',
      entityId: request.caseId,
      data: {
        caseId: request.caseId,
        provider: 'amadeus',
        origin: request.origin,
        destination: request.destination,
        departureDate: request.departureDate,
        returnDate: request.returnDate ?? null,
        adults: request.adults,
        flights: shown,
        total: result.options.length,
      },
      occurredAt: now,
    }),
  );
  return { kind: 'offered', options: result.options, eventId: event.id };
}
