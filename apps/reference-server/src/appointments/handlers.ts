/** Handlers of `appointments.*`. */
import { operations } from '@clinicbridge/sdk/contract';
import { changeOf, defineHandlers } from '../kernel/handlers.ts';
import {
  createAppointment,
  listAppointments,
  requireAppointment,
  toAppointment,
  transitionAppointment,
  updateAppointment,
} from './service.ts';

/**
 * Handlers for `appointments.*`.
 *
 * @example
 * registerOperations(app, deps, appointmentHandlers);
 */
export const appointmentHandlers = defineHandlers(operations.appointments, {
  create: (ctx) => createAppointment(ctx.db, changeOf(ctx), ctx.body),
  get: async (ctx) =>
    toAppointment(await requireAppointment(ctx.db, ctx.auth.tenantId, ctx.params.appointmentId)),
  list: (ctx) => listAppointments(ctx.db, ctx.auth.tenantId, ctx.query),
  update: (ctx) => updateAppointment(ctx.db, changeOf(ctx), ctx.params.appointmentId, ctx.body),
  cancel: (ctx) =>
    transitionAppointment(ctx.db, changeOf(ctx), ctx.params.appointmentId, 'cancel', ctx.body),
  reschedule: (ctx) =>
    transitionAppointment(ctx.db, changeOf(ctx), ctx.params.appointmentId, 'reschedule', ctx.body),
  complete: (ctx) =>
    transitionAppointment(ctx.db, changeOf(ctx), ctx.params.appointmentId, 'complete'),
});
