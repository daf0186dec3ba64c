/** Visits in the fake API: opened for a patient (optionally from an appointment), then completed once. */
import { newId, type Visit, visitOperations } from '../../../contract/index.ts';
import { type BoundHandler, defineHandler } from '../context.ts';
import { filterRows, findOr404 } from '../lookup.ts';
import { paginate } from '../pagination.ts';
import { ApiProblem } from '../problem.ts';

/**
 * Handlers of the visit operations.
 *
 * @example
 * const byId = new Map(visitHandlers.map((h) => [h.op.id, h]));
 */
export const visitHandlers: BoundHandler[] = [
  defineHandler(visitOperations.create, (ctx) => {
    const b = ctx.body;
    findOr404(ctx.tenant.patients, b.patientId, 'patient');
    if (b.appointmentId !== undefined) {
      const appointment = findOr404(ctx.tenant.appointments, b.appointmentId, 'appointment');
      if (appointment.patientId !== b.patientId) {
        throw new ApiProblem('unprocessable', 'the appointment belongs to another patient');
      }
    }
    const visit: Visit = {
      id: newId('vis'),
      patientId: b.patientId,
      appointmentId: b.appointmentId ?? null,
      status: 'open',
      summary: null,
      startedAt: b.startedAt ?? ctx.now,
      completedAt: null,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    };
    return { body: ctx.tenant.visits.insert(visit) };
  }),
  defineHandler(visitOperations.get, (ctx) => ({
    body: findOr404(ctx.tenant.visits, ctx.params.visitId, 'visit'),
  })),
  defineHandler(visitOperations.list, (ctx) => {
    const { limit, cursor, patientId, status } = ctx.query;
    const rows = filterRows(ctx.tenant.visits, { patientId, status });
    return { body: paginate(ctx.op.id, rows, { limit, cursor }, 'asc') };
  }),
  defineHandler(visitOperations.complete, (ctx) => {
    const current = findOr404(ctx.tenant.visits, ctx.params.visitId, 'visit');
    if (current.status !== 'open') {
      throw new ApiProblem('invalid_state_transition', 'this visit is already completed');
    }
    const updated = ctx.tenant.visits.update({
      ...current,
      status: 'completed',
      summary: ctx.body.summary ?? current.summary,
      completedAt: ctx.now,
      updatedAt: ctx.now,
    });
    ctx.emit(
      'visit.completed',
      { type: 'visit', id: updated.id },
      {
        visitId: updated.id,
        patientId: updated.patientId,
        appointmentId: updated.appointmentId,
        completedAt: ctx.now,
      },
    );
    return { body: updated };
  }),
];
