/**
 * The `ClinicSoftwareProxy` port: pushes what the platform arranged for a
 * patient — the deal (package and price), the itinerary (stops and flight
 * legs), the flights — into a partner clinic's own practice software, per
 * tenant (one clinic, one set of credentials). Each record is keyed by its platform reference, so a
 * repeated push updates instead of duplicating. Only references, times,
 * places and prices go; names and contact details stay on the platform.
 */
import { z } from 'zod';
import { MoneySchema, ReferenceSchema } from './common.ts';

const Instant = z.iso.datetime({ offset: true });
const Iata = z.string().regex(/^[A-Z]{3}$/, 'IATA airport code');

/**
 * A deal for the clinic: which package, for which patient reference, at what price.
 *
 * @example
 * ClinicDealSchema.parse({ tenantRef: 'tnt_1', dealRef: 'case_1', patientRef: 'pat_1', packageCode: 'DENT-IMPL-4', amount: { amountMinor: 250000, currency: 'EUR' }, stage: 'booked', updatedAt: '2026-12-02T10:00:00Z' });
 */
export const ClinicDealSchema = z.strictObject({
  tenantRef: ReferenceSchema,
  dealRef: ReferenceSchema,
  patientRef: ReferenceSchema,
  /** The clinic's own package code. */
  packageCode: z.string().min(1).max(64),
  amount: MoneySchema,
  stage: z.enum(['quoted', 'booked', 'cancelled']),
  updatedAt: Instant,
});

/**
 * A flight's carrier, number, airports and times: what the clinic plans
 * transfers with. Never a passenger's name, passport or seat.
 */
const flightFields = {
  /** The carrier's IATA code (`TK`). */
  airline: z.string().regex(/^[A-Z0-9]{2}$/, 'IATA airline code'),
  /** The carrier's code and number (`TK1980`). */
  flightNumber: z.string().regex(/^[A-Z0-9]{2}\d{1,4}[A-Z]?$/, 'flight number'),
  from: Iata,
  to: Iata,
  departAt: Instant,
  arriveAt: Instant,
};

/**
 * One stop of the patient's trip: an appointment, a hotel, a transfer.
 *
 * @example
 * ItineraryStopSchema.parse({ kind: 'appointment', startsAt: '2026-12-10T09:00:00Z', place: 'Clinic, Şişli', reference: 'apt_1' });
 */
export const ItineraryStopSchema = z.strictObject({
  kind: z.enum(['arrival', 'transfer', 'hotel', 'appointment', 'departure']),
  startsAt: Instant,
  endsAt: Instant.optional(),
  place: z.string().min(1).max(200),
  reference: ReferenceSchema,
});

/**
 * One flight leg of the patient's trip; `reference` names the leg of the booking.
 *
 * @example
 * ItineraryFlightSchema.parse({ kind: 'flight', reference: 'bk_1-1', airline: 'TK', flightNumber: 'TK1980', from: 'LHR', to: 'IST', departAt: '2026-12-09T08:00:00Z', arriveAt: '2026-12-09T14:00:00Z' });
 */
export const ItineraryFlightSchema = z.strictObject({
  kind: z.literal('flight'),
  reference: ReferenceSchema,
  ...flightFields,
});

/**
 * One item of the patient's trip: a stop or a flight leg.
 *
 * @example
 * ItineraryItemSchema.parse({ kind: 'appointment', startsAt: '2026-12-10T09:00:00Z', place: 'Clinic, Şişli', reference: 'apt_1' });
 */
export const ItineraryItemSchema = z.discriminatedUnion('kind', [
  ItineraryStopSchema,
  ItineraryFlightSchema,
]);

/**
 * A case's itinerary.
 *
 * @example
 * ClinicItinerarySchema.parse({ tenantRef: 'tnt_1', caseRef: 'case_1', items: [] });
 */
export const ClinicItinerarySchema = z.strictObject({
  tenantRef: ReferenceSchema,
  caseRef: ReferenceSchema,
  items: z.array(ItineraryItemSchema).max(100),
});

/**
 * A flight of the case, for the clinic's transfer planning.
 *
 * @example
 * ClinicFlightSchema.parse({ tenantRef: 'tnt_1', caseRef: 'case_1', direction: 'inbound', airline: 'TK', flightNumber: 'TK1980', from: 'LHR', to: 'IST', departAt: '2026-12-09T08:00:00Z', arriveAt: '2026-12-09T14:00:00Z' });
 */
export const ClinicFlightSchema = z.strictObject({
  tenantRef: ReferenceSchema,
  caseRef: ReferenceSchema,
  direction: z.enum(['inbound', 'outbound']),
  ...flightFields,
});

/** @example const deal: ClinicDeal = { tenantRef: 'tnt_1', dealRef: 'case_1', patientRef: 'pat_1', packageCode: 'P', amount, stage: 'booked', updatedAt }; */
export type ClinicDeal = z.infer<typeof ClinicDealSchema>;
/** @example const itinerary: ClinicItinerary = { tenantRef: 'tnt_1', caseRef: 'case_1', items: [] }; */
export type ClinicItinerary = z.infer<typeof ClinicItinerarySchema>;
/** @example const item: ItineraryItem = { kind: 'appointment', startsAt, place: 'Clinic', reference: 'apt_1' }; */
export type ItineraryItem = z.infer<typeof ItineraryItemSchema>;
/** @example const flight: ClinicFlight = { tenantRef: 'tnt_1', caseRef: 'case_1', direction: 'inbound', airline: 'TK', flightNumber: 'TK1980', from: 'LHR', to: 'IST', departAt, arriveAt }; */
export type ClinicFlight = z.infer<typeof ClinicFlightSchema>;

/**
 * Outcome of a push: delivered (with the clinic system's id) or left as a
 * manual task because the clinic's system was unavailable.
 *
 * @example
 * if (result.status === 'manual') ops.notify(result.manualTaskId);
 */
export type ClinicPushResult =
  | { status: 'delivered'; remoteId: string }
  | { status: 'manual'; manualTaskId: string };

/**
 * A partner clinic's own software.
 *
 * @example
 * await proxy.sendFlight({ tenantRef: 'tnt_1', caseRef: 'case_1', direction: 'inbound', airline: 'TK', flightNumber: 'TK1980', from: 'LHR', to: 'IST', departAt, arriveAt });
 */
export interface ClinicSoftwareProxy {
  readonly provider: string;
  sendDeal(deal: ClinicDeal): Promise<ClinicPushResult>;
  sendItinerary(itinerary: ClinicItinerary): Promise<ClinicPushResult>;
  sendFlight(flight: ClinicFlight): Promise<ClinicPushResult>;
}
