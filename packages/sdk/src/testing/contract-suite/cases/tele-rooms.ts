/**
 * Contract cases for telemedicine rooms: a room for an appointment and its
 * invoice; the patient's join link refused with 409 `prepayment_required`
 * until the invoice is paid; completion with a follow-up date, once;
 * tenant isolation. Whether the API has a video provider is its own
 * business: a room without one is `manual` and issues no link (409).
 */
import { expect } from 'vitest';
import { expectProblem } from '../expect-problem.ts';
import type { ContractCase } from '../types.ts';

/**
 * Cases for telemedicine rooms.
 *
 * @example
 * for (const c of teleRoomCases) console.log(c.name, c.uses);
 */
export const teleRoomCases: ContractCase[] = [
  {
    name: 'teleRooms: the patient joins only after the invoice is paid; completion schedules a follow-up, once',
    uses: [
      'patients.create',
      'appointments.create',
      'invoices.create',
      'payments.create',
      'teleRooms.create',
      'teleRooms.get',
      'teleRooms.join',
      'teleRooms.complete',
    ],
    async run({ client, clientFor, target, unique }) {
      const patient = await client.patients.create({
        givenName: 'Remy',
        familyName: 'Remote',
        externalRef: unique('tlr'),
      });
      const appointment = await client.appointments.create({
        patientId: patient.id,
        service: 'Video consultation',
        startsAt: '2031-05-02T09:00:00.000Z',
        endsAt: '2031-05-02T09:30:00.000Z',
      });
      const invoice = await client.invoices.create({
        patientId: patient.id,
        currency: 'EUR',
        lines: [
          {
            description: 'Consultation',
            quantity: 1,
            unitPrice: { amount: 9_000, currency: 'EUR' },
          },
        ],
      });
      const room = await client.teleRooms.create({
        appointmentId: appointment.id,
        invoiceId: invoice.id,
      });
      expect(room).toMatchObject({
        appointmentId: appointment.id,
        patientId: patient.id,
        invoiceId: invoice.id,
        startedAt: null,
        followUpDue: null,
      });
      expect(['open', 'manual']).toContain(room.status);
      expect(JSON.stringify(room)).not.toContain('Remote');
      expect((await client.teleRooms.get({ teleRoomId: room.id })).id).toBe(room.id);
      await expectProblem(
        clientFor(target.otherTenantApiKey).teleRooms.get({ teleRoomId: room.id }),
        404,
        'not_found',
      );

      await expectProblem(
        client.teleRooms.join({ teleRoomId: room.id }, { role: 'patient' }),
        409,
        'prepayment_required',
      );
      await client.payments.create({
        invoiceId: invoice.id,
        amount: { amount: 9_000, currency: 'EUR' },
        method: 'card',
        source: 'terminal',
      });
      if (room.status === 'manual') {
        await expectProblem(
          client.teleRooms.join({ teleRoomId: room.id }, { role: 'patient' }),
          409,
          'invalid_state_transition',
        );
        return;
      }
      const link = await client.teleRooms.join({ teleRoomId: room.id }, { role: 'patient' });
      expect(link).toMatchObject({ teleRoomId: room.id, role: 'patient' });
      expect(link.url?.startsWith(`${room.roomUrl}?`)).toBe(true);
      expect((await client.teleRooms.get({ teleRoomId: room.id })).status).toBe('in_session');

      const done = await client.teleRooms.complete(
        { teleRoomId: room.id },
        { outcome: 'completed', followUpInDays: 14 },
      );
      expect(done).toMatchObject({ status: 'completed', failureCode: null });
      expect(done.followUpDue).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      await expectProblem(
        client.teleRooms.complete({ teleRoomId: room.id }, { outcome: 'failed' }),
        409,
        'invalid_state_transition',
      );
      await expectProblem(
        client.teleRooms.join({ teleRoomId: room.id }, { role: 'host' }),
        409,
        'invalid_state_transition',
      );
    },
  },
];
