/** Contract cases for appointments and visits: CRUD, filters, and the appointment state machine. */
import { expect } from 'vitest';
import { collect, expectProblem } from '../expect-problem.ts';
import type { CaseContext, ContractCase } from '../types.ts';

async function patientOf({ client, unique }: CaseContext) {
  return client.patients.create({
    givenName: 'Ada',
    familyName: 'Şahin',
    externalRef: unique('apt'),
  });
}

const slot = (day: number) => ({
  startsAt: `2027-01-${String(day).padStart(2, '0')}T09:00:00.000Z`,
  endsAt: `2027-01-${String(day).padStart(2, '0')}T09:30:00.000Z`,
});

/**
 * Cases for appointments and visits.
 *
 * @example
 * for (const c of appointmentCases) console.log(c.name, c.uses);
 */
export const appointmentCases: ContractCase[] = [
  {
    name: 'appointments: create, get, update, and list by patient and status',
    uses: [
      'appointments.create',
      'appointments.get',
      'appointments.update',
      'appointments.list',
      'appointments.cancel',
    ],
    async run(ctx) {
      const { client } = ctx;
      const patient = await patientOf(ctx);
      const a = await client.appointments.create({
        patientId: patient.id,
        service: 'Implant consult',
        ...slot(4),
      });
      const b = await client.appointments.create({
        patientId: patient.id,
        service: 'Cleaning',
        ...slot(5),
      });
      const c = await client.appointments.create({
        patientId: patient.id,
        service: 'X-ray',
        ...slot(6),
      });
      expect(a).toMatchObject({
        patientId: patient.id,
        status: 'scheduled',
        service: 'Implant consult',
      });
      expect(Date.parse(a.startsAt)).toBe(Date.parse(slot(4).startsAt));
      expect(await client.appointments.get({ appointmentId: a.id })).toEqual(a);

      const updated = await client.appointments.update(
        { appointmentId: a.id },
        { location: 'Room 3', notes: 'Bring X-rays' },
      );
      expect(updated).toMatchObject({
        id: a.id,
        location: 'Room 3',
        notes: 'Bring X-rays',
        status: 'scheduled',
      });

      await client.appointments.cancel({ appointmentId: c.id }, { reason: 'Patient request' });
      const all = await collect(client.appointments.list({ patientId: patient.id, limit: 1 }));
      expect(all.map((x) => x.id).sort()).toEqual([a.id, b.id, c.id].sort());
      const scheduled = await collect(
        client.appointments.list({ patientId: patient.id, status: 'scheduled' }),
      );
      expect(scheduled.map((x) => x.id).sort()).toEqual([a.id, b.id].sort());
    },
  },
  {
    name: 'appointments: the state machine allows only moves from scheduled',
    uses: [
      'appointments.create',
      'appointments.reschedule',
      'appointments.complete',
      'appointments.cancel',
      'appointments.update',
      'appointments.get',
    ],
    async run(ctx) {
      const { client } = ctx;
      const patient = await patientOf(ctx);
      const apt = await client.appointments.create({
        patientId: patient.id,
        service: 'Check-up',
        ...slot(10),
      });
      const moved = await client.appointments.reschedule({ appointmentId: apt.id }, slot(11));
      expect(moved.status).toBe('scheduled');
      expect(Date.parse(moved.startsAt)).toBe(Date.parse(slot(11).startsAt));
      const done = await client.appointments.complete({ appointmentId: apt.id }, {});
      expect(done.status).toBe('completed');

      const id = { appointmentId: apt.id };
      await expectProblem(
        client.appointments.cancel(id, { reason: 'late' }),
        409,
        'invalid_state_transition',
      );
      await expectProblem(client.appointments.complete(id, {}), 409, 'invalid_state_transition');
      await expectProblem(
        client.appointments.reschedule(id, slot(12)),
        409,
        'invalid_state_transition',
      );
      await expectProblem(
        client.appointments.update(id, { notes: 'x' }),
        409,
        'invalid_state_transition',
      );
      expect((await client.appointments.get(id)).status).toBe('completed');

      const other = await client.appointments.create({
        patientId: patient.id,
        service: 'Check-up',
        ...slot(13),
      });
      const cancelled = await client.appointments.cancel(
        { appointmentId: other.id },
        { reason: 'ill' },
      );
      expect(cancelled).toMatchObject({ status: 'cancelled', cancellationReason: 'ill' });
      await expectProblem(
        client.appointments.complete({ appointmentId: other.id }, {}),
        409,
        'invalid_state_transition',
      );
    },
  },
  {
    name: 'visits: open, get, list, complete once',
    uses: ['visits.create', 'visits.get', 'visits.list', 'visits.complete'],
    async run(ctx) {
      const { client } = ctx;
      const patient = await patientOf(ctx);
      const visit = await client.visits.create({ patientId: patient.id });
      expect(visit).toMatchObject({ patientId: patient.id, status: 'open', completedAt: null });
      expect(await client.visits.get({ visitId: visit.id })).toEqual(visit);
      const done = await client.visits.complete({ visitId: visit.id }, { summary: 'Healed well' });
      expect(done.status).toBe('completed');
      expect(done.completedAt).not.toBeNull();
      await expectProblem(
        client.visits.complete({ visitId: visit.id }, {}),
        409,
        'invalid_state_transition',
      );
      const listed = await collect(
        client.visits.list({ patientId: patient.id, status: 'completed' }),
      );
      expect(listed.map((v) => v.id)).toEqual([visit.id]);
    },
  },
];
