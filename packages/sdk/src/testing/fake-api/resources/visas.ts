/**
 * Visa applications in the fake API. The fake talks to no visa partner: an
 * application is accepted `pending`, exactly as the server answers before
 * its background job submits it; tests move one on by updating
 * `api.state.tenant(id).visaApplications`. Cancellation is the server's
 * behaviour, with its `visa.status_changed` event.
 */
import {
  newId,
  type VisaApplication,
  visaCancellableStatuses,
  visaOperations,
} from '../../../contract/index.ts';
import { type BoundHandler, defineHandler } from '../context.ts';
import { filterRows, findOr404 } from '../lookup.ts';
import { paginate } from '../pagination.ts';
import { ApiProblem } from '../problem.ts';
import { base64Bytes, sha256Hex } from '../sha256.ts';

/**
 * Handlers of the visa application operations.
 *
 * @example
 * const byId = new Map(visaHandlers.map((h) => [h.op.id, h]));
 */
export const visaHandlers: BoundHandler[] = [
  defineHandler(visaOperations.create, (ctx) => {
    const b = ctx.body;
    findOr404(ctx.tenant.patients, b.patientId, 'patient');
    if (b.departureDate !== undefined && b.departureDate < b.arrivalDate) {
      throw new ApiProblem('validation_failed', 'departureDate must not be before arrivalDate');
    }
    const application: VisaApplication = {
      id: newId('vsa'),
      patientId: b.patientId,
      caseRef: b.caseRef,
      destination: b.destination,
      nationality: b.nationality,
      visaType: b.visaType,
      arrivalDate: b.arrivalDate,
      departureDate: b.departureDate ?? null,
      status: 'pending',
      medicalReference: null,
      visaNumber: null,
      validUntil: null,
      reasonCodes: [],
      documents: b.documents.map((d) => {
        const bytes = base64Bytes(d.data);
        return {
          kind: d.kind,
          contentType: d.contentType,
          size: bytes.byteLength,
          sha256: sha256Hex(bytes),
        };
      }),
      lastError: null,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    };
    return { body: ctx.tenant.visaApplications.insert(application) };
  }),
  defineHandler(visaOperations.get, (ctx) => ({
    body: findOr404(ctx.tenant.visaApplications, ctx.params.visaApplicationId, 'visa application'),
  })),
  defineHandler(visaOperations.list, (ctx) => {
    const { limit, cursor, patientId, status } = ctx.query;
    const rows = filterRows(ctx.tenant.visaApplications, { patientId, status });
    return { body: paginate(ctx.op.id, rows, { limit, cursor }, 'asc') };
  }),
  defineHandler(visaOperations.cancel, (ctx) => {
    const current = findOr404(
      ctx.tenant.visaApplications,
      ctx.params.visaApplicationId,
      'visa application',
    );
    if (!visaCancellableStatuses.includes(current.status)) {
      throw new ApiProblem(
        'invalid_state_transition',
        `a ${current.status} visa application cannot be cancelled`,
      );
    }
    const updated = ctx.tenant.visaApplications.update({
      ...current,
      status: 'cancelled',
      updatedAt: ctx.now,
    });
    ctx.emit(
      'visa.status_changed',
      { type: 'visa_application', id: updated.id },
      {
        applicationId: updated.id,
        caseId: updated.caseRef,
        patientId: updated.patientId,
        country: updated.destination,
        status: 'cancelled',
        previousStatus: current.status,
        reasonCodes: [],
      },
    );
    return { body: updated };
  }),
];
