/** Handlers of `patients.*`: PII is returned only with `read:patients:pii`. */
import { hasScope, operations } from '@clinicbridge/sdk/contract';
import type { AuthContext } from '../http/context.ts';
import { changeOf, defineHandlers } from '../kernel/handlers.ts';
import { deleteDevice, listDevices, registerDevice } from './devices.ts';
import {
  createPatient,
  listPatients,
  requirePatient,
  toPatient,
  updatePatient,
} from './service.ts';

const pii = (auth: AuthContext) => hasScope(auth.scopes, 'read:patients:pii');

/**
 * Handlers for `patients.*`.
 *
 * @example
 * registerOperations(app, deps, patientHandlers);
 */
export const patientHandlers = defineHandlers(operations.patients, {
  create: async (ctx) =>
    toPatient(await createPatient(ctx.db, changeOf(ctx), ctx.body), pii(ctx.auth)),
  get: async (ctx) =>
    toPatient(await requirePatient(ctx.db, ctx.auth.tenantId, ctx.params.patientId), pii(ctx.auth)),
  list: (ctx) => listPatients(ctx.db, ctx.auth.tenantId, ctx.query, pii(ctx.auth)),
  update: async (ctx) =>
    toPatient(
      await updatePatient(ctx.db, changeOf(ctx), ctx.params.patientId, ctx.body),
      pii(ctx.auth),
    ),
});

/**
 * Handlers for `patientDevices.*` (tokens are write-only).
 *
 * @example
 * registerOperations(app, deps, patientDeviceHandlers);
 */
export const patientDeviceHandlers = defineHandlers(operations.patientDevices, {
  register: (ctx) => registerDevice(ctx.db, changeOf(ctx), ctx.params.patientId, ctx.body),
  list: (ctx) => listDevices(ctx.db, ctx.auth.tenantId, ctx.params.patientId),
  delete: (ctx) => deleteDevice(ctx.db, changeOf(ctx), ctx.params.patientId, ctx.params.deviceId),
});
