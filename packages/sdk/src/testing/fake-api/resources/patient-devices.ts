/**
 * A patient's push devices in the fake API: registered under a patient of
 * the tenant, the token kept aside and never returned, the same token
 * registered again answered with the device already there, and at most
 * `MAX_DEVICES_PER_PATIENT` devices per patient (409 `conflict`), as the
 * server does.
 */
import {
  MAX_DEVICES_PER_PATIENT,
  newId,
  type PatientDevice,
  patientDeviceOperations,
} from '../../../contract/index.ts';
import { type BoundHandler, defineHandler } from '../context.ts';
import { findOr404 } from '../lookup.ts';
import { ApiProblem } from '../problem.ts';

/**
 * Handlers of `patientDevices.*`.
 *
 * @example
 * const byId = new Map(patientDeviceHandlers.map((h) => [h.op.id, h]));
 */
export const patientDeviceHandlers: BoundHandler[] = [
  defineHandler(patientDeviceOperations.register, (ctx) => {
    const patient = findOr404(ctx.tenant.patients, ctx.params.patientId, 'patient');
    const existingId = ctx.tenant.deviceTokens.get(`${patient.id}\0${ctx.body.token}`);
    const existing = existingId ? ctx.tenant.patientDevices.get(existingId) : undefined;
    if (existing) return { body: existing };
    const count = ctx.tenant.patientDevices.values().filter((d) => d.patientId === patient.id);
    if (count.length >= MAX_DEVICES_PER_PATIENT)
      throw new ApiProblem(
        'conflict',
        `Patient ${patient.id} has ${MAX_DEVICES_PER_PATIENT} devices, the most allowed; delete one first.`,
      );
    const device: PatientDevice = {
      id: newId('pdv'),
      patientId: patient.id,
      platform: ctx.body.platform,
      label: ctx.body.label ?? null,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    };
    ctx.tenant.deviceTokens.set(`${patient.id}\0${ctx.body.token}`, device.id);
    return { body: ctx.tenant.patientDevices.insert(device) };
  }),
  defineHandler(patientDeviceOperations.list, (ctx) => {
    const patient = findOr404(ctx.tenant.patients, ctx.params.patientId, 'patient');
    return {
      body: {
        data: ctx.tenant.patientDevices.values().filter((d) => d.patientId === patient.id),
      },
    };
  }),
  defineHandler(patientDeviceOperations.delete, (ctx) => {
    findOr404(ctx.tenant.patients, ctx.params.patientId, 'patient');
    const device = ctx.tenant.patientDevices.get(ctx.params.deviceId);
    if (!device || device.patientId !== ctx.params.patientId)
      throw new ApiProblem('not_found', `device ${ctx.params.deviceId} does not exist`);
    ctx.tenant.patientDevices.delete(device.id);
    for (const [key, id] of ctx.tenant.deviceTokens)
      if (id === device.id) ctx.tenant.deviceTokens.delete(key);
    return { body: undefined };
  }),
];
