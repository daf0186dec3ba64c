/**
 * Telemedicine rooms in the fake API, with the server's rules: a room for an
 * appointment and an invoice of the same patient, the patient's join link
 * refused (409 `prepayment_required`) until the invoice is paid, the first
 * link starting the session, completion scheduling the follow-up. The fake
 * talks to no video provider: its links point at `meet.fake-api.test` with
 * an opaque token.
 */
import {
  newId,
  type TeleRoom,
  teleRoomLiveStatuses,
  teleRoomOperations,
} from '../../../contract/index.ts';
import { type BoundHandler, defineHandler } from '../context.ts';
import { findOr404 } from '../lookup.ts';
import { ApiProblem } from '../problem.ts';
import { randomSecret } from '../random.ts';

const FAKE_VIDEO_ORIGIN = 'https://meet.fake-api.test';
const LINK_LIFETIME_MS = 2 * 3600_000;
const DAY_MS = 86_400_000;

const eventData = (room: TeleRoom) => ({
  teleRoomId: room.id,
  appointmentId: room.appointmentId,
  patientId: room.patientId,
  provider: room.provider,
  status: room.status,
  startedAt: room.startedAt,
  endedAt: room.endedAt,
  failureCode: room.failureCode,
  followUpDue: room.followUpDue,
});

/**
 * Handlers of the telemedicine room operations.
 *
 * @example
 * const byId = new Map(teleRoomHandlers.map((h) => [h.op.id, h]));
 */
export const teleRoomHandlers: BoundHandler[] = [
  defineHandler(teleRoomOperations.create, (ctx) => {
    const appointment = findOr404(ctx.tenant.appointments, ctx.body.appointmentId, 'appointment');
    const invoice = findOr404(ctx.tenant.invoices, ctx.body.invoiceId, 'invoice');
    if (invoice.patientId !== appointment.patientId) {
      throw new ApiProblem('validation_failed', "the invoice is not for the appointment's patient");
    }
    const roomName = randomSecret('', 16);
    const room: TeleRoom = {
      id: newId('tlr'),
      appointmentId: appointment.id,
      patientId: appointment.patientId,
      invoiceId: invoice.id,
      provider: 'fake-video',
      status: 'open',
      roomUrl: `${FAKE_VIDEO_ORIGIN}/${roomName}`,
      startedAt: null,
      endedAt: null,
      failureCode: null,
      followUpDue: null,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    };
    ctx.tenant.teleRooms.insert(room);
    ctx.emit('tele.room.created', { type: 'tele_room', id: room.id }, eventData(room));
    return { body: room };
  }),
  defineHandler(teleRoomOperations.get, (ctx) => ({
    body: findOr404(ctx.tenant.teleRooms, ctx.params.teleRoomId, 'tele room'),
  })),
  defineHandler(teleRoomOperations.join, (ctx) => {
    const room = findOr404(ctx.tenant.teleRooms, ctx.params.teleRoomId, 'tele room');
    if (ctx.body.role === 'patient') {
      const invoice = findOr404(ctx.tenant.invoices, room.invoiceId, 'invoice');
      if (invoice.status !== 'paid') {
        throw new ApiProblem(
          'prepayment_required',
          'the invoice must be paid before the patient joins',
        );
      }
    }
    if (!teleRoomLiveStatuses.includes(room.status)) {
      throw new ApiProblem('invalid_state_transition', `a ${room.status} room cannot be joined`);
    }
    if (room.status === 'open') {
      const started = ctx.tenant.teleRooms.update({
        ...room,
        status: 'in_session',
        startedAt: ctx.now,
        updatedAt: ctx.now,
      });
      ctx.emit('tele.session.started', { type: 'tele_room', id: room.id }, eventData(started));
    }
    return {
      body: {
        teleRoomId: room.id,
        role: ctx.body.role,
        url: `${room.roomUrl}?jwt=${randomSecret('fake.', 24)}`,
        expiresAt: new Date(Date.parse(ctx.now) + LINK_LIFETIME_MS).toISOString(),
      },
    };
  }),
  defineHandler(teleRoomOperations.complete, (ctx) => {
    const room = findOr404(ctx.tenant.teleRooms, ctx.params.teleRoomId, 'tele room');
    if (!teleRoomLiveStatuses.includes(room.status)) {
      throw new ApiProblem('invalid_state_transition', `a ${room.status} room cannot be ended`);
    }
    const completed = ctx.body.outcome === 'completed';
    const days = ctx.body.followUpInDays ?? 7;
    const ended = ctx.tenant.teleRooms.update({
      ...room,
      status: ctx.body.outcome,
      endedAt: ctx.now,
      failureCode: completed ? null : (ctx.body.failureCode ?? 'unspecified'),
      followUpDue: completed
        ? new Date(Date.parse(ctx.now) + days * DAY_MS).toISOString().slice(0, 10)
        : null,
      updatedAt: ctx.now,
    });
    ctx.emit(
      completed ? 'tele.session.completed' : 'tele.session.failed',
      { type: 'tele_room', id: room.id },
      eventData(ended),
    );
    return { body: ended };
  }),
];
