/** Handlers of `appointments.*`. */
import { operations } from '@clinicbridge/sdk/contract';
import { changeOf, defineHandlers, withWritePlan } from '../kernel/handlers.ts';
import {
  createAppointment,
  listAppointments,
  planAppointment,
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
  // On PostgreSQL an idempotent booking runs as one statement (kernel/one-statement-write.ts).
  create: withWritePlan<typeof operations.appointments.create>(
    (ctx) => createAppointment(ctx.db, changeOf(ctx), ctx.body),
    (ctx) => planAppointment(changeOf(ctx), ctx.body),
  ),
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
