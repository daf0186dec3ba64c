/**
 * The flight legs of patients' bookings, kept for their clinic itineraries.
 * The travel provider's `booking.confirmed` (a flight booking naming the
 * patient and its legs) records the legs, replacing the booking's earlier
 * ones; `flight.changed` moves a leg's times; `flight.cancelled` takes the
 * leg out of the itinerary. Only the carrier, flight number, airports and
 * times are kept: the events carry no passenger name or passport, and
 * nothing else of a booking is read. A leg the clinic's system could not
 * take (an airport that is not an IATA code) is not kept.
 */
import { createHash } from 'node:crypto';
import { ItineraryFlightSchema, type ItineraryItem } from '@clinicbridge/adapters';
import type { EventEnvelope } from '@clinicbridge/sdk/contract';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

/** A leg as the `booking.confirmed` catalogue entry carries it (already validated). */
interface EventLeg {
  airline: string;
  flightNumber: string;
  from: string;
  to: string;
  departAt: string;
  arriveAt: string;
}

const MAX_LEGS = 8;

/**
 * The itinerary reference of a booking's leg: the booking id and the leg's
 * number, or a digest of the id when it holds characters a reference may not.
 */
function legReference(bookingId: string, leg: number): string {
  const base = /^[A-Za-z0-9_-]{1,56}$/.test(bookingId)
    ? bookingId
    : `bk-${createHash('sha256').update(bookingId).digest('hex').slice(0, 32)}`;
  return `${base}-${leg}`;
}

async function confirmBooking(
  trx: Kysely<DB>,
  tenantId: string,
  data: Record<string, unknown>,
  now: Date,
): Promise<string | undefined> {
  const { bookingId, patientId, flights } = data;
  if (data.kind !== 'flight' || typeof bookingId !== 'string' || typeof patientId !== 'string')
    return undefined;
  if (!Array.isArray(flights)) return undefined;
  const patient = await trx
    .selectFrom('patients')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', patientId)
    .executeTakeFirst();
  if (!patient) return undefined;
  // A booking confirmed again (rebooked) replaces its legs whole.
  await trx
    .deleteFrom('clinic_flight_legs')
    .where('tenant_id', '=', tenantId)
    .where('booking_id', '=', bookingId)
    .execute();
  // Only legs the clinic's system can take (IATA codes, a flight number) are kept.
  const legs = (flights as EventLeg[])
    .slice(0, MAX_LEGS)
    .filter(
      (leg) =>
        ItineraryFlightSchema.safeParse({ kind: 'flight', reference: 'leg', ...leg }).success,
    );
  if (legs.length > 0)
    await trx
      .insertInto('clinic_flight_legs')
      .values(
        legs.map((leg, i) => ({
          tenant_id: tenantId,
          booking_id: bookingId,
          leg: i + 1,
          patient_id: patientId,
          airline: leg.airline,
          flight_number: leg.flightNumber,
          from_airport: leg.from,
          to_airport: leg.to,
          depart_at: new Date(leg.departAt),
          arrive_at: new Date(leg.arriveAt),
          status: 'confirmed' as const,
          updated_at: now,
        })),
      )
      .execute();
  return patientId;
}

async function moveOrCancelLeg(
  trx: Kysely<DB>,
  tenantId: string,
  type: 'flight.changed' | 'flight.cancelled',
  data: Record<string, unknown>,
  now: Date,
): Promise<string | undefined> {
  const { bookingId, flightNumber, departAt, arriveAt } = data;
  if (typeof bookingId !== 'string' || typeof flightNumber !== 'string') return undefined;
  const moved = typeof departAt === 'string' || typeof arriveAt === 'string';
  if (type === 'flight.changed' && !moved) return undefined;
  const legs = await trx
    .selectFrom('clinic_flight_legs')
    .select(['leg', 'patient_id', 'depart_at', 'arrive_at'])
    .where('tenant_id', '=', tenantId)
    .where('booking_id', '=', bookingId)
    .where('flight_number', '=', flightNumber)
    .where('status', '=', 'confirmed')
    .execute();
  const [first] = legs;
  if (!first) return undefined;
  for (const leg of legs) {
    const where = trx
      .updateTable('clinic_flight_legs')
      .where('tenant_id', '=', tenantId)
      .where('booking_id', '=', bookingId)
      .where('leg', '=', leg.leg);
    if (type === 'flight.cancelled') {
      await where.set({ status: 'cancelled', updated_at: now }).execute();
      continue;
    }
    const oldDepart = new Date(leg.depart_at).getTime();
    const newDepart = typeof departAt === 'string' ? new Date(departAt).getTime() : oldDepart;
    // Without a new arrival time the flight is assumed to arrive as late as it leaves.
    const newArrive =
      typeof arriveAt === 'string'
        ? new Date(arriveAt).getTime()
        : new Date(leg.arrive_at).getTime() + (newDepart - oldDepart);
    await where
      .set({ depart_at: new Date(newDepart), arrive_at: new Date(newArrive), updated_at: now })
      .execute();
  }
  return first.patient_id;
}

/**
 * Applies a travel event to the flight legs; resolves to the patient whose
 * itinerary changed, or undefined when none did (not a flight, no patient
 * of this tenant, a leg not known here).
 *
 * @example
 * const patientId = await applyFlightEvent(trx, event, now);
 * if (patientId) await enqueueItinerary(trx, event, patientId, now);
 */
export async function applyFlightEvent(
  trx: Kysely<DB>,
  event: EventEnvelope,
  now: Date,
): Promise<string | undefined> {
  const data = event.data as Record<string, unknown>;
  if (event.type === 'booking.confirmed') return confirmBooking(trx, event.tenantId, data, now);
  if (event.type === 'flight.changed' || event.type === 'flight.cancelled')
    return moveOrCancelLeg(trx, event.tenantId, event.type, data, now);
  return undefined;
}

/**
 * The patient's confirmed flight legs as itinerary items, earliest first.
 *
 * @example
 * const items = await flightItemsOf(trx, tenantId, patientId, 100);
 */
export async function flightItemsOf(
  trx: Kysely<DB>,
  tenantId: string,
  patientId: string,
  limit: number,
): Promise<ItineraryItem[]> {
  const legs = await trx
    .selectFrom('clinic_flight_legs')
    .select([
      'booking_id',
      'leg',
      'airline',
      'flight_number',
      'from_airport',
      'to_airport',
      'depart_at',
      'arrive_at',
    ])
    .where('tenant_id', '=', tenantId)
    .where('patient_id', '=', patientId)
    .where('status', '=', 'confirmed')
    .orderBy('depart_at')
    .orderBy('booking_id')
    .orderBy('leg')
    .limit(limit)
    .execute();
  return legs.map((leg) => ({
    kind: 'flight' as const,
    reference: legReference(leg.booking_id, leg.leg),
    airline: leg.airline,
    flightNumber: leg.flight_number,
    from: leg.from_airport,
    to: leg.to_airport,
    departAt: new Date(leg.depart_at).toISOString(),
    arriveAt: new Date(leg.arrive_at).toISOString(),
  }));
}
