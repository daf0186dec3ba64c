/**
 * Appointments in the fake API, with the contract's state machine: only a
 * scheduled appointment may be updated, rescheduled, cancelled or completed;
 * anything else is 409 `invalid_state_transition`.
 */
import {
  type Appointment,
  type AppointmentAction,
  appointmentOperations,
  type EventData,
  newId,
  nextAppointmentStatus,
} from '../../../contract/index.ts';
import { type BoundHandler, defineHandler, type OperationContext } from '../context.ts';
import { filterRows, findOr404 } from '../lookup.ts';
import { paginate } from '../pagination.ts';
import { ApiProblem } from '../problem.ts';

type AppointmentEvent =
  | 'appointment.created'
  | 'appointment.updated'
  | 'appointment.cancelled'
  | 'appointment.completed';

function eventData(a: Appointment): EventData<AppointmentEvent> {
  return {
    appointmentId: a.id,
    patientId: a.patientId,
    status: a.status,
    startsAt: a.startsAt,
    endsAt: a.endsAt,
  };
}

function transition(
  ctx: OperationContext<
    | typeof appointmentOperations.cancel
    | typeof appointmentOperations.complete
    | typeof appointmentOperations.reschedule
  >,
  action: AppointmentAction,
  changes: Partial<Appointment>,
  event: AppointmentEvent,
): { body: Appointment } {
  const current = findOr404(ctx.tenant.appointments, ctx.params.appointmentId, 'appointment');
  const status = nextAppointmentStatus(current.status, action);
  if (status === null) {
    throw new ApiProblem(
      'invalid_state_transition',
      `cannot ${action} an appointment that is ${current.status}; only scheduled appointments can be`,
    );
  }
  const updated = ctx.tenant.appointments.update({
    ...current,
    ...changes,
    status,
    updatedAt: ctx.now,
  });
  ctx.emit(event, { type: 'appointment', id: updated.id }, eventData(updated));
  return { body: updated };
}

/**
 * Books an appointment for an existing patient of the tenant; shared with CSV/NDJSON imports.
 *
 * @example
 * createAppointment(ctx, { patientId, service: 'Consultation', startsAt, endsAt });
 */
export function createAppointment(
  ctx: Pick<OperationContext<typeof appointmentOperations.create>, 'tenant' | 'now' | 'emit'>,
  b: OperationContext<typeof appointmentOperations.create>['body'],
): Appointment {
  findOr404(ctx.tenant.patients, b.patientId, 'patient');
  const appointment: Appointment = {
    id: newId('apt'),
    patientId: b.patientId,
    service: b.service,
    clinicianRef: b.clinicianRef ?? null,
    location: b.location ?? null,
    startsAt: b.startsAt,
    endsAt: b.endsAt,
    status: 'scheduled',
    cancellationReason: null,
    notes: b.notes ?? null,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  ctx.tenant.appointments.insert(appointment);
  ctx.emit(
    'appointment.created',
    { type: 'appointment', id: appointment.id },
    eventData(appointment),
  );
  return appointment;
}

/**
 * Handlers of the appointment operations.
 *
 * @example
 * const byId = new Map(appointmentHandlers.map((h) => [h.op.id, h]));
 */
export const appointmentHandlers: BoundHandler[] = [
  defineHandler(appointmentOperations.create, (ctx) => ({
    body: createAppointment(ctx, ctx.body),
  })),
  defineHandler(appointmentOperations.get, (ctx) => ({
    body: findOr404(ctx.tenant.appointments, ctx.params.appointmentId, 'appointment'),
  })),
  defineHandler(appointmentOperations.list, (ctx) => {
    const { limit, cursor, patientId, status, startsAfter, startsBefore } = ctx.query;
    const rows = filterRows(ctx.tenant.appointments, { patientId, status }).filter(
      ({ value }) =>
        (startsAfter === undefined || Date.parse(value.startsAt) > Date.parse(startsAfter)) &&
        (startsBefore === undefined || Date.parse(value.startsAt) < Date.parse(startsBefore)),
    );
    return { body: paginate(ctx.op.id, rows, { limit, cursor }, 'asc') };
  }),
  defineHandler(appointmentOperations.update, (ctx) => {
    const current = findOr404(ctx.tenant.appointments, ctx.params.appointmentId, 'appointment');
    if (current.status !== 'scheduled') {
      throw new ApiProblem(
        'invalid_state_transition',
        `cannot update an appointment that is ${current.status}; only scheduled appointments can be`,
      );
    }
    const changes = Object.fromEntries(Object.entries(ctx.body).filter(([, v]) => v !== undefined));
    const updated = ctx.tenant.appointments.update({ ...current, ...changes, updatedAt: ctx.now });
    ctx.emit('appointment.updated', { type: 'appointment', id: updated.id }, eventData(updated));
    return { body: updated };
  }),
  defineHandler(appointmentOperations.cancel, (ctx) =>
    transition(ctx, 'cancel', { cancellationReason: ctx.body.reason }, 'appointment.cancelled'),
  ),
  defineHandler(appointmentOperations.reschedule, (ctx) =>
    transition(
      ctx,
      'reschedule',
      { startsAt: ctx.body.startsAt, endsAt: ctx.body.endsAt },
      'appointment.updated',
    ),
  ),
  defineHandler(appointmentOperations.complete, (ctx) =>
    transition(ctx, 'complete', {}, 'appointment.completed'),
  ),
];
