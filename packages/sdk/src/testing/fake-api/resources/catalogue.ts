/**
 * The catalogue in the fake API: practitioners, services with prices and
 * slots, read as the server reads them, and booking into a slot, which
 * takes one place and answers 409 `slot_full` when none is left. The fake
 * imports patients and appointments only, so tests seed the catalogue in
 * `api.state.tenant(id).practitioners`, `.services` and `.slots`.
 */
import {
  availabilityOperations,
  MAX_AVAILABILITY_DAYS,
  practitionerOperations,
  serviceOperations,
} from '../../../contract/index.ts';
import { type BoundHandler, defineHandler } from '../context.ts';
import { filterRows, findOr404 } from '../lookup.ts';
import { paginate } from '../pagination.ts';
import { ApiProblem } from '../problem.ts';
import { createAppointment } from './appointments.ts';

const DAY_MS = 86_400_000;

/**
 * Handlers of the catalogue operations.
 *
 * @example
 * const byId = new Map(catalogueHandlers.map((h) => [h.op.id, h]));
 */
export const catalogueHandlers: BoundHandler[] = [
  defineHandler(practitionerOperations.list, (ctx) => {
    const { limit, cursor, specialty } = ctx.query;
    const rows = filterRows(ctx.tenant.practitioners, { specialty });
    return { body: paginate(ctx.op.id, rows, { limit, cursor }, 'asc') };
  }),
  defineHandler(practitionerOperations.get, (ctx) => ({
    body: findOr404(ctx.tenant.practitioners, ctx.params.practitionerId, 'practitioner'),
  })),
  defineHandler(serviceOperations.list, (ctx) => {
    const { limit, cursor, code } = ctx.query;
    const rows = filterRows(ctx.tenant.services, { code });
    return { body: paginate(ctx.op.id, rows, { limit, cursor }, 'asc') };
  }),
  defineHandler(serviceOperations.get, (ctx) => ({
    body: findOr404(ctx.tenant.services, ctx.params.serviceId, 'service'),
  })),
  defineHandler(availabilityOperations.search, (ctx) => {
    const { limit, cursor, serviceId, from, to, practitionerId, clinicRef } = ctx.query;
    const span = Date.parse(to) - Date.parse(from);
    if (!(span > 0) || span > MAX_AVAILABILITY_DAYS * DAY_MS) {
      throw new ApiProblem(
        'validation_failed',
        `to must be after from and at most ${MAX_AVAILABILITY_DAYS} days later`,
      );
    }
    findOr404(ctx.tenant.services, serviceId, 'service');
    const rows = filterRows(ctx.tenant.slots, { serviceId, practitionerId, clinicRef })
      .filter(({ value }) => {
        const starts = Date.parse(value.startsAt);
        return value.available > 0 && starts >= Date.parse(from) && starts < Date.parse(to);
      })
      .sort((a, b) => Date.parse(a.value.startsAt) - Date.parse(b.value.startsAt))
      // Start-time order, as the server lists them; the cursor follows this order.
      .map((row, seq) => ({ ...row, seq }));
    return { body: paginate(ctx.op.id, rows, { limit, cursor }, 'asc') };
  }),
  defineHandler(availabilityOperations.book, (ctx) => {
    const slot = findOr404(ctx.tenant.slots, ctx.params.slotId, 'slot');
    if (slot.available <= 0) {
      throw new ApiProblem('slot_full', 'every place of this slot is booked');
    }
    const service = findOr404(ctx.tenant.services, slot.serviceId, 'service');
    const practitioner = findOr404(ctx.tenant.practitioners, slot.practitionerId, 'practitioner');
    const appointment = createAppointment(ctx, {
      patientId: ctx.body.patientId,
      service: service.name,
      clinicianRef: practitioner.ref,
      ...(slot.clinicRef !== null ? { location: slot.clinicRef } : {}),
      startsAt: slot.startsAt,
      endsAt: slot.endsAt,
      ...(ctx.body.notes !== undefined ? { notes: ctx.body.notes } : {}),
    });
    ctx.tenant.slots.update({ ...slot, booked: slot.booked + 1, available: slot.available - 1 });
    return { body: appointment };
  }),
];
