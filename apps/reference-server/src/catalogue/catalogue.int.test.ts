/**
 * The catalogue over real HTTP against a started server on 127.0.0.1:
 * practitioners, services with prices in minor units, availability search
 * in start-time order with pagination, tenant isolation, and booking that
 * never oversells: 20 concurrent bookings of a 1-place slot give one
 * appointment and 19 `slot_full`; cancelling gives the place back exactly
 * once, even under 20 concurrent cancels.
 */
import {
  type Appointment,
  newId,
  type Page,
  type Patient,
  type Practitioner,
  type Problem,
  type Service,
  type Slot,
} from '@clinicbridge/sdk/contract';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTestServer, type TestServer } from '../../test/helpers/http-server.ts';

let running: TestServer;
let base: string;
let key: string;
let otherKey: string;

beforeAll(async () => {
  running = await startTestServer({ tenantCount: 2 });
  base = running.server.url;
  key = running.tenants[0]?.apiKey ?? '';
  otherKey = running.tenants[1]?.apiKey ?? '';
}, 90_000);
afterAll(() => running?.server.close());

const auth = (k = key) => ({ authorization: `Bearer ${k}` });

async function get<T>(path: string, k = key): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}${path}`, { headers: auth(k) });
  return { status: res.status, body: (await res.json()) as T };
}

async function post<T>(path: string, body: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: {
      ...auth(),
      'content-type': 'application/json',
      'idempotency-key': crypto.randomUUID(),
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

/** Writes one practitioner, one priced service and `slots` slots of the first tenant straight to the tables. */
async function seed(slots: { startsAt: string; capacity: number }[]) {
  const db = running.server.database.db;
  const tenantId = running.tenants[0]!.tenantId;
  const now = new Date();
  const practitioner = newId('prc');
  const service = newId('svc');
  await db
    .insertInto('practitioners')
    .values({
      id: practitioner,
      tenant_id: tenantId,
      ref: `DR-${practitioner.slice(-6)}`,
      name: 'Dr Ada',
      specialty: 'cardiology',
      created_at: now,
      updated_at: now,
    })
    .execute();
  await db
    .insertInto('services')
    .values({
      id: service,
      tenant_id: tenantId,
      code: `C-${service.slice(-6)}`,
      name: 'Consultation',
      duration_minutes: 30,
      created_at: now,
      updated_at: now,
    })
    .execute();
  await db
    .insertInto('service_prices')
    .values([
      {
        service_id: service,
        tenant_id: tenantId,
        clinic_ref: 'IST',
        currency: 'TRY',
        amount: 150_000,
        updated_at: now,
      },
      {
        service_id: service,
        tenant_id: tenantId,
        clinic_ref: 'IST',
        currency: 'EUR',
        amount: 4_500,
        updated_at: now,
      },
    ])
    .execute();
  const ids: string[] = [];
  for (const slot of slots) {
    const id = newId('slt');
    ids.push(id);
    const starts = new Date(slot.startsAt);
    await db
      .insertInto('slots')
      .values({
        id,
        tenant_id: tenantId,
        service_id: service,
        practitioner_id: practitioner,
        clinic_ref: 'IST',
        starts_at: starts,
        ends_at: new Date(starts.getTime() + 30 * 60_000),
        capacity: slot.capacity,
        booked: 0,
        created_at: now,
        updated_at: now,
      })
      .execute();
  }
  return { practitioner, service, slots: ids };
}

async function patient(): Promise<string> {
  const created = await post<Patient>('/api/v1/patients', {
    givenName: 'Ada',
    familyName: 'Booker',
  });
  return created.body.id;
}

test('practitioners and services with prices in minor units, isolated per tenant', async () => {
  const { practitioner, service } = await seed([]);
  const doctor = await get<Practitioner>(`/api/v1/practitioners/${practitioner}`);
  expect(doctor.body).toMatchObject({ id: practitioner, name: 'Dr Ada', specialty: 'cardiology' });
  const bySpecialty = await get<Page<Practitioner>>('/api/v1/practitioners?specialty=cardiology');
  expect(bySpecialty.body.data.map((p: { id: string }) => p.id)).toContain(practitioner);
  const svc = await get<Service>(`/api/v1/services/${service}`);
  expect(svc.body.prices).toEqual([
    { clinicRef: 'IST', price: { amount: 4_500, currency: 'EUR' } },
    { clinicRef: 'IST', price: { amount: 150_000, currency: 'TRY' } },
  ]);
  const listed = await get<Page<Service>>(`/api/v1/services?code=${svc.body.code}`);
  expect(listed.body.data).toEqual([svc.body]);
  expect((await get(`/api/v1/services/${service}`, otherKey)).status).toBe(404);
  expect((await get(`/api/v1/practitioners/${practitioner}`, otherKey)).status).toBe(404);
  expect((await get<Page<Practitioner>>('/api/v1/practitioners', otherKey)).body.data).toEqual([]);
});

test('availability: free slots in start-time order, page by page, full ones left out', async () => {
  const { service, slots } = await seed([
    { startsAt: '2027-03-02T10:00:00.000Z', capacity: 2 },
    { startsAt: '2027-03-01T09:00:00.000Z', capacity: 1 },
    { startsAt: '2027-03-03T09:00:00.000Z', capacity: 1 },
    { startsAt: '2027-04-20T09:00:00.000Z', capacity: 1 },
  ]);
  const booked = await post(`/api/v1/availability/${slots[2]}/book`, {
    patientId: await patient(),
  });
  expect(booked.status).toBe(201);
  const window = `serviceId=${service}&from=2027-03-01T00:00:00Z&to=2027-04-01T00:00:00Z`;
  const first = await get<Page<Slot>>(`/api/v1/availability?${window}&limit=1`);
  expect(first.status).toBe(200);
  expect(first.body.data.map((s: { id: string }) => s.id)).toEqual([slots[1]]);
  const second = await get<Page<Slot>>(
    `/api/v1/availability?${window}&limit=1&cursor=${first.body.nextCursor}`,
  );
  expect(second.body.data).toEqual([
    expect.objectContaining({
      id: slots[0],
      capacity: 2,
      booked: 0,
      available: 2,
      clinicRef: 'IST',
    }),
  ]);
  expect(second.body.nextCursor).toBeNull();
  const tooLong = await get(
    `/api/v1/availability?serviceId=${service}&from=2027-01-01T00:00:00Z&to=2027-06-01T00:00:00Z`,
  );
  expect(tooLong.status).toBe(400);
  expect((await get(`/api/v1/availability?${window}`, otherKey)).status).toBe(404);
});

test('20 concurrent bookings of a 1-place slot: one appointment, 19 slot_full', async () => {
  const { slots } = await seed([{ startsAt: '2027-05-03T09:00:00.000Z', capacity: 1 }]);
  const patientId = await patient();
  const answers = await Promise.all(
    Array.from({ length: 20 }, () =>
      post<Pick<Appointment, 'id'> & Pick<Problem, 'code'>>(
        `/api/v1/availability/${slots[0]}/book`,
        { patientId },
      ),
    ),
  );
  const statuses = answers.map((a) => a.status).sort();
  expect(statuses.filter((s) => s === 201)).toHaveLength(1);
  expect(statuses.filter((s) => s === 409)).toHaveLength(19);
  for (const a of answers.filter((x) => x.status === 409)) expect(a.body.code).toBe('slot_full');
  const appointment = answers.find((a) => a.status === 201)!.body;
  expect(appointment).toMatchObject({ patientId, service: 'Consultation', location: 'IST' });
  const db = running.server.database.db;
  const slot = await db
    .selectFrom('slots')
    .selectAll()
    .where('id', '=', slots[0]!)
    .executeTakeFirstOrThrow();
  expect(slot.booked).toBe(1);
  const bookings = await db
    .selectFrom('slot_bookings')
    .selectAll()
    .where('slot_id', '=', slots[0]!)
    .execute();
  expect(bookings.map((b) => b.appointment_id)).toEqual([appointment.id]);
});

test('20 concurrent cancels of a booked appointment give its place back exactly once', async () => {
  const { service, slots } = await seed([{ startsAt: '2027-06-07T09:00:00.000Z', capacity: 2 }]);
  const slotId = slots[0]!;
  const booked = await Promise.all([
    post<Appointment>(`/api/v1/availability/${slotId}/book`, { patientId: await patient() }),
    post<Appointment>(`/api/v1/availability/${slotId}/book`, { patientId: await patient() }),
  ]);
  expect(booked.map((b) => b.status)).toEqual([201, 201]);
  const window = `serviceId=${service}&from=2027-06-07T00:00:00Z&to=2027-06-08T00:00:00Z`;
  expect((await get<Page<Slot>>(`/api/v1/availability?${window}`)).body.data).toEqual([]);

  const cancelled = booked[0]!.body.id;
  const answers = await Promise.all(
    Array.from({ length: 20 }, () =>
      post<Pick<Appointment, 'status'> & Pick<Problem, 'code'>>(
        `/api/v1/appointments/${cancelled}/cancel`,
        { reason: 'patient ill' },
      ),
    ),
  );
  expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
  const refused = answers.filter((a) => a.status !== 200);
  expect(refused).toHaveLength(19);
  for (const a of refused) {
    expect(a.status).toBe(409);
    expect(a.body.code).toBe('invalid_state_transition');
  }
  const db = running.server.database.db;
  const slot = await db
    .selectFrom('slots')
    .selectAll()
    .where('id', '=', slotId)
    .executeTakeFirstOrThrow();
  expect(slot.booked).toBe(1);
  const bookings = await db
    .selectFrom('slot_bookings')
    .select(['appointment_id', 'released_at'])
    .where('slot_id', '=', slotId)
    .orderBy('released_at')
    .execute();
  expect(bookings.filter((b) => b.released_at !== null).map((b) => b.appointment_id)).toEqual([
    cancelled,
  ]);
  // The place is bookable again, once.
  const free = await get<Page<Slot>>(`/api/v1/availability?${window}`);
  expect(free.body.data).toEqual([
    expect.objectContaining({ id: slotId, booked: 1, available: 1 }),
  ]);
  const rebooked = await post(`/api/v1/availability/${slotId}/book`, {
    patientId: await patient(),
  });
  expect(rebooked.status).toBe(201);
  const full = await post<Problem>(`/api/v1/availability/${slotId}/book`, {
    patientId: await patient(),
  });
  expect(full.body.code).toBe('slot_full');

  // An appointment not booked through a slot cancels as before and touches no slot.
  const plain = await post<Appointment>('/api/v1/appointments', {
    patientId: await patient(),
    service: 'Walk-in',
    startsAt: '2027-06-07T11:00:00Z',
    endsAt: '2027-06-07T11:30:00Z',
  });
  expect(plain.status).toBe(201);
  const plainCancel = await post(`/api/v1/appointments/${plain.body.id}/cancel`, {
    reason: 'moved',
  });
  expect(plainCancel.status).toBe(200);
  const after = await db
    .selectFrom('slots')
    .select('booked')
    .where('id', '=', slotId)
    .executeTakeFirstOrThrow();
  expect(after.booked).toBe(2);
}, 120_000);
