/**
 * The catalogue partners read — practitioners, services with their prices,
 * free slots — and booking into a slot. A booking takes one place with a
 * single conditional `UPDATE … WHERE booked < capacity`: concurrent
 * bookings of the last place serialise on the row and only one passes; a
 * check constraint refuses overbooking even if code forgot. Rows are
 * written by the `pricing` and `capacity` imports (src/imports/).
 */
import {
  type Appointment,
  MAX_AVAILABILITY_DAYS,
  type Page,
  type Practitioner,
  type Service,
  type Slot,
} from '@clinicbridge/sdk/contract';
import type { Kysely } from 'kysely';
import { createAppointment } from '../appointments/service.ts';
import type { DB, Row } from '../db/schema.ts';
import type { ChangeContext } from '../kernel/change.ts';
import { type ListQuery, listPage } from '../kernel/list.ts';
import { decodeCursor, pageSize, toPage } from '../kernel/pagination.ts';
import { ApiError } from '../kernel/problem.ts';
import { requireOwned } from '../kernel/require-owned.ts';

const DAY_MS = 86_400_000;

/**
 * The public view of a practitioner row.
 *
 * @example
 * toPractitioner(row).ref; // 'DR-7'
 */
export function toPractitioner(row: Row<'practitioners'>): Practitioner {
  return {
    id: row.id as `prc_${string}`,
    ref: row.ref,
    name: row.name,
    specialty: row.specialty,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/**
 * The public view of a slot row.
 *
 * @example
 * toSlot(row).available; // capacity - booked
 */
export function toSlot(row: Row<'slots'>): Slot {
  return {
    id: row.id as `slt_${string}`,
    serviceId: row.service_id as `svc_${string}`,
    practitionerId: row.practitioner_id as `prc_${string}`,
    clinicRef: row.clinic_ref,
    startsAt: row.starts_at.toISOString(),
    endsAt: row.ends_at.toISOString(),
    capacity: row.capacity,
    booked: row.booked,
    available: row.capacity - row.booked,
  };
}

/** Services with their prices, one query for the prices of the whole page. */
async function withPrices(
  db: Kysely<DB>,
  rows: readonly Row<'services'>[],
): Promise<Map<string, Service['prices']>> {
  const prices = new Map<string, Service['prices']>();
  if (rows.length === 0) return prices;
  const found = await db
    .selectFrom('service_prices')
    .selectAll()
    .where(
      'service_id',
      'in',
      rows.map((r) => r.id),
    )
    .orderBy('clinic_ref')
    .orderBy('currency')
    .execute();
  for (const price of found) {
    const list = prices.get(price.service_id) ?? [];
    list.push({
      clinicRef: price.clinic_ref,
      price: { amount: Number(price.amount), currency: price.currency },
    });
    prices.set(price.service_id, list);
  }
  return prices;
}

function toService(row: Row<'services'>, prices: Service['prices']): Service {
  return {
    id: row.id as `svc_${string}`,
    code: row.code,
    name: row.name,
    durationMinutes: row.duration_minutes,
    prices,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/**
 * A practitioner of the tenant, or 404.
 *
 * @example
 * await getPractitioner(db, tenantId, 'prc_…');
 */
export async function getPractitioner(
  db: Kysely<DB>,
  tenantId: string,
  id: string,
): Promise<Practitioner> {
  return toPractitioner(await requireOwned(db, 'practitioners', tenantId, id));
}

/**
 * The tenant's practitioners, oldest first, optionally of one specialty.
 *
 * @example
 * await listPractitioners(db, tenantId, { specialty: 'cardiology' });
 */
export function listPractitioners(
  db: Kysely<DB>,
  tenantId: string,
  query: ListQuery & { specialty?: string | undefined },
): Promise<Page<Practitioner>> {
  return listPage(
    db,
    'practitioners',
    tenantId,
    query,
    [query.specialty !== undefined && ['specialty', '=', query.specialty]],
    toPractitioner,
  );
}

/**
 * A service of the tenant with its prices, or 404.
 *
 * @example
 * (await getService(db, tenantId, 'svc_…')).prices;
 */
export async function getService(db: Kysely<DB>, tenantId: string, id: string): Promise<Service> {
  const row = await requireOwned(db, 'services', tenantId, id);
  return toService(row, (await withPrices(db, [row])).get(row.id) ?? []);
}

/**
 * The tenant's services with their prices, oldest first, optionally by code.
 *
 * @example
 * await listServices(db, tenantId, { code: 'CONS' });
 */
export async function listServices(
  db: Kysely<DB>,
  tenantId: string,
  query: ListQuery & { code?: string | undefined },
): Promise<Page<Service>> {
  const rows = await listPage(
    db,
    'services',
    tenantId,
    query,
    [query.code !== undefined && ['code', '=', query.code]],
    (row) => row,
  );
  const prices = await withPrices(db, rows.data);
  return {
    data: rows.data.map((row) => toService(row, prices.get(row.id) ?? [])),
    nextCursor: rows.nextCursor,
  };
}

/**
 * What an availability search asks for.
 *
 * @example
 * const query: AvailabilityQuery = { serviceId: 'svc_…', from: '2027-01-04T00:00:00Z', to: '2027-01-11T00:00:00Z' };
 */
export interface AvailabilityQuery extends ListQuery {
  serviceId: string;
  from: string;
  to: string;
  practitionerId?: string | undefined;
  clinicRef?: string | undefined;
}

/**
 * The free slots of a service starting in `[from, to)`, in start-time order.
 *
 * @example
 * const page = await searchAvailability(db, tenantId, { serviceId, from, to });
 */
export async function searchAvailability(
  db: Kysely<DB>,
  tenantId: string,
  query: AvailabilityQuery,
): Promise<Page<Slot>> {
  const from = new Date(query.from);
  const to = new Date(query.to);
  if (!(to > from) || to.getTime() - from.getTime() > MAX_AVAILABILITY_DAYS * DAY_MS) {
    throw new ApiError(
      'validation_failed',
      `to must be after from and at most ${MAX_AVAILABILITY_DAYS} days later; search shorter periods.`,
    );
  }
  await requireOwned(db, 'services', tenantId, query.serviceId);
  const limit = pageSize(query.limit);
  const after = decodeCursor(query.cursor, 'availability');
  let select = db
    .selectFrom('slots')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('service_id', '=', query.serviceId)
    .where('starts_at', '>=', from)
    .where('starts_at', '<', to)
    .where((eb) => eb('booked', '<', eb.ref('capacity')));
  if (query.practitionerId !== undefined) {
    select = select.where('practitioner_id', '=', query.practitionerId);
  }
  if (query.clinicRef !== undefined) select = select.where('clinic_ref', '=', query.clinicRef);
  if (after) {
    select = select.where(({ eb, refTuple, tuple }) =>
      eb(refTuple('starts_at', 'id'), '>', tuple(after.time, after.id)),
    );
  }
  const rows = await select
    .orderBy('starts_at', 'asc')
    .orderBy('id', 'asc')
    .limit(limit + 1)
    .execute();
  return toPage(rows, limit, 'availability', (r) => ({ time: r.starts_at, id: r.id }), toSlot);
}

/**
 * Books a patient into a slot: takes one place and creates the appointment
 * (with its audit row and `appointment.created` event) in the caller's
 * transaction. A full slot is 409 `slot_full`; a missing one 404.
 *
 * @example
 * const appointment = await bookSlot(trx, change, 'slt_…', { patientId: 'pat_…' });
 */
export async function bookSlot(
  db: Kysely<DB>,
  change: ChangeContext,
  slotId: string,
  input: { patientId: string; notes?: string | undefined },
): Promise<Appointment> {
  const taken = await db
    .updateTable('slots')
    .set((eb) => ({ booked: eb('booked', '+', 1), updated_at: change.now }))
    .where('tenant_id', '=', change.tenantId)
    .where('id', '=', slotId)
    .where((eb) => eb('booked', '<', eb.ref('capacity')))
    .returningAll()
    .executeTakeFirst();
  if (!taken) {
    await requireOwned(db, 'slots', change.tenantId, slotId);
    throw new ApiError('slot_full', 'Every place of this slot is booked; search for another slot.');
  }
  const service = await requireOwned(db, 'services', change.tenantId, taken.service_id);
  const practitioner = await requireOwned(
    db,
    'practitioners',
    change.tenantId,
    taken.practitioner_id,
  );
  const appointment = await createAppointment(db, change, {
    patientId: input.patientId,
    service: service.name,
    clinicianRef: practitioner.ref,
    location: taken.clinic_ref ?? undefined,
    startsAt: taken.starts_at.toISOString(),
    endsAt: taken.ends_at.toISOString(),
    notes: input.notes,
  });
  await db
    .insertInto('slot_bookings')
    .values({
      appointment_id: appointment.id,
      slot_id: taken.id,
      tenant_id: change.tenantId,
      created_at: change.now,
      released_at: null,
    })
    .execute();
  return appointment;
}
