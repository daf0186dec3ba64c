/**
 * The clinic-software subscriber: turns domain events into pushes to the
 * clinic's own software, queued in `clinic_pushes` in the transaction that
 * acknowledges the event, so none is lost and the push job sends them
 * whatever the clinic's system is doing. Only what the clinic needs is put
 * in a push (see {@link ClinicSoftwareProxy}): references, times, places,
 * the package and its price, flights (carrier, number, airports); never
 * the patient's name, contact details, notes, cancellation reasons, the
 * appointment's service or a passenger's name or passport.
 *
 * - `invoice.created` → the deal, `quoted`; `payment.received` that settles
 *   the invoice → the same deal, `booked`. The deal reference is the
 *   invoice id, the package code the invoice's first line (the clinic's own
 *   billing text, at most 64 characters).
 * - `appointment.*` → the patient's itinerary: every appointment of the
 *   patient not cancelled, as `appointment` items (reference, start, end,
 *   place), and every confirmed flight leg as a `flight` item (airline,
 *   flight number, airports, departure and arrival), in time order. The
 *   itinerary is replaced whole, so a newer one supersedes a queued older one.
 * - `booking.confirmed` of a flight, `flight.changed`, `flight.cancelled`
 *   → the legs recorded or moved (./flight-legs.ts), then the patient's
 *   itinerary as above.
 */
import type { ClinicDeal, ClinicItinerary, ItineraryItem } from '@clinicbridge/adapters';
import type { EventEnvelope, EventType } from '@clinicbridge/sdk/contract';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { InternalSubscriber } from '../scheduler/subscriber.ts';
import { applyFlightEvent, flightItemsOf } from './flight-legs.ts';
import type { ClinicPushKind } from './schema.ts';

/**
 * The events the clinic's software hears about.
 *
 * @example
 * clinicPushEventTypes.includes('invoice.created'); // true
 */
export const clinicPushEventTypes: readonly EventType[] = [
  'invoice.created',
  'payment.received',
  'appointment.created',
  'appointment.updated',
  'appointment.cancelled',
  'appointment.completed',
  'booking.confirmed',
  'flight.changed',
  'flight.cancelled',
];

const ITINERARY_LIMIT = 100;
/** The place of an appointment without a location of its own. */
const DEFAULT_PLACE = 'Clinic';

async function dealOf(
  trx: Kysely<DB>,
  event: EventEnvelope,
  invoiceId: string,
  stage: ClinicDeal['stage'],
): Promise<ClinicDeal | undefined> {
  const invoice = await trx
    .selectFrom('invoices')
    .select(['id', 'patient_id', 'currency', 'total', 'lines'])
    .where('tenant_id', '=', event.tenantId)
    .where('id', '=', invoiceId)
    .executeTakeFirst();
  if (!invoice) return undefined;
  const lines = (typeof invoice.lines === 'string' ? JSON.parse(invoice.lines) : invoice.lines) as {
    description?: string;
  }[];
  const packageCode = lines[0]?.description?.trim().slice(0, 64) || 'package';
  return {
    tenantRef: event.tenantId,
    dealRef: invoice.id,
    patientRef: invoice.patient_id,
    packageCode,
    amount: { amountMinor: Number(invoice.total), currency: invoice.currency },
    stage,
    updatedAt: new Date(event.occurredAt).toISOString(),
  };
}

async function itineraryOf(
  trx: Kysely<DB>,
  tenantId: string,
  patientId: string,
): Promise<ClinicItinerary> {
  const appointments = await trx
    .selectFrom('appointments')
    .select(['id', 'location', 'starts_at', 'ends_at'])
    .where('tenant_id', '=', tenantId)
    .where('patient_id', '=', patientId)
    .where('status', '!=', 'cancelled')
    .orderBy('starts_at')
    .orderBy('id')
    .limit(ITINERARY_LIMIT)
    .execute();
  const stops: ItineraryItem[] = appointments.map((a) => ({
    kind: 'appointment' as const,
    startsAt: new Date(a.starts_at).toISOString(),
    endsAt: new Date(a.ends_at).toISOString(),
    place: a.location?.trim().slice(0, 200) || DEFAULT_PLACE,
    reference: a.id,
  }));
  const flights = await flightItemsOf(trx, tenantId, patientId, ITINERARY_LIMIT);
  const startOf = (item: ItineraryItem) => (item.kind === 'flight' ? item.departAt : item.startsAt);
  const items = [...stops, ...flights]
    .toSorted(
      (x, y) =>
        Date.parse(startOf(x)) - Date.parse(startOf(y)) || x.reference.localeCompare(y.reference),
    )
    .slice(0, ITINERARY_LIMIT);
  return { tenantRef: tenantId, caseRef: patientId, items };
}

async function enqueue(
  trx: Kysely<DB>,
  event: EventEnvelope,
  kind: ClinicPushKind,
  subjectRef: string,
  payload: ClinicDeal | ClinicItinerary,
  now: Date,
): Promise<void> {
  if (kind === 'itinerary') {
    // The itinerary is replaced whole: an older one not yet sent is stale.
    await trx
      .updateTable('clinic_pushes')
      .set({ status: 'superseded', updated_at: now })
      .where('tenant_id', '=', event.tenantId)
      .where('kind', '=', 'itinerary')
      .where('subject_ref', '=', subjectRef)
      .where('status', '=', 'queued')
      .execute();
  }
  await trx
    .insertInto('clinic_pushes')
    .values({
      id: `${event.id}:${kind}`,
      tenant_id: event.tenantId,
      event_id: event.id,
      kind,
      subject_ref: subjectRef,
      payload: JSON.stringify(payload),
      status: 'queued',
      attempts: 0,
      next_attempt_at: now,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

/**
 * Creates the subscriber for the tenants that have a clinic system.
 *
 * @example
 * const subscriber = clinicPushSubscriber(new Set(['ten_1']));
 */
export function clinicPushSubscriber(tenants: ReadonlySet<string>): InternalSubscriber {
  return {
    name: 'clinic-software',
    eventTypes: clinicPushEventTypes,
    async handle(trx, event, { now }) {
      if (!tenants.has(event.tenantId)) return;
      const data = event.data as Record<string, unknown>;
      if (event.type === 'invoice.created' && typeof data.invoiceId === 'string') {
        const deal = await dealOf(trx, event, data.invoiceId, 'quoted');
        if (deal) await enqueue(trx, event, 'deal', deal.dealRef, deal, now);
        return;
      }
      if (event.type === 'payment.received' && typeof data.invoiceId === 'string') {
        const balance = data.invoiceBalance as { amount?: unknown } | undefined;
        if (balance?.amount !== 0) return;
        const deal = await dealOf(trx, event, data.invoiceId, 'booked');
        if (deal) await enqueue(trx, event, 'deal', deal.dealRef, deal, now);
        return;
      }
      const patientId = event.type.startsWith('appointment.')
        ? data.patientId
        : await applyFlightEvent(trx, event, now);
      if (typeof patientId === 'string') {
        const itinerary = await itineraryOf(trx, event.tenantId, patientId);
        await enqueue(trx, event, 'itinerary', itinerary.caseRef, itinerary, now);
      }
    },
  };
}
