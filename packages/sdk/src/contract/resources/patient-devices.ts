/**
 * A patient's devices for push notifications: the app registers the
 * device token FCM (or APNs through FCM) gave it, with its platform. The
 * token is write-only: it is stored encrypted and never returned; a device
 * is listed by id, platform and label. Registering the same token again
 * returns the device already registered. A patient has at most
 * {@link MAX_DEVICES_PER_PATIENT} devices (409 `conflict` past it; delete one
 * first). A device whose token the push provider reports as unregistered
 * is removed by the server.
 */
import * as z from 'zod/mini';
import { text, timestamp } from '../common.ts';
import { idSchema } from '../ids.ts';
import { defineOperation } from '../operation.ts';

/**
 * Devices one patient may have registered at once.
 *
 * @example
 * MAX_DEVICES_PER_PATIENT; // 10
 */
export const MAX_DEVICES_PER_PATIENT = 10;

/**
 * Platforms a device token can come from.
 *
 * @example
 * devicePlatform.parse('ios');
 */
export const devicePlatform = z.enum(['ios', 'android', 'web']);

/**
 * A registered device (never its token).
 *
 * @example
 * const device = patientDevice.parse(await res.json());
 */
export const patientDevice = z.object({
  id: idSchema('pdv'),
  patientId: idSchema('pat'),
  platform: devicePlatform,
  label: z.nullable(z.string()),
  createdAt: timestamp,
  updatedAt: timestamp,
});

/**
 * A patient's devices (all of them: at most {@link MAX_DEVICES_PER_PATIENT}).
 *
 * @example
 * const { data } = patientDeviceList.parse(await res.json());
 */
export const patientDeviceList = z.object({ data: z.array(patientDevice) });

const patientParams = z.strictObject({ patientId: idSchema('pat') });

/**
 * Register a device token for a patient (`patientDevices.register`).
 *
 * @example
 * await client.request(patientDevicesRegister, ...args); // same arguments as client.patientDevices.register
 */
export const patientDevicesRegister = defineOperation({
  id: 'patientDevices.register',
  method: 'POST',
  path: '/api/v1/patients/{patientId}/devices',
  summary: 'Register a push device token for a patient (the token is never returned)',
  scope: 'write:patients',
  write: true,
  status: 201,
  params: patientParams,
  body: z.strictObject({
    /** The FCM registration token (write-only, stored encrypted). */
    token: z.string().check(z.minLength(8), z.maxLength(4096), z.regex(/^[\x21-\x7e]+$/)),
    platform: devicePlatform,
    /** A name the patient recognises ("Ayşe's phone"); optional. */
    label: z.optional(text(60)),
  }),
  response: patientDevice,
});

/**
 * List a patient's devices (`patientDevices.list`).
 *
 * @example
 * await client.request(patientDevicesList, ...args); // same arguments as client.patientDevices.list
 */
export const patientDevicesList = defineOperation({
  id: 'patientDevices.list',
  method: 'GET',
  path: '/api/v1/patients/{patientId}/devices',
  summary: 'List the push devices of a patient (without their tokens)',
  scope: 'read:patients',
  write: false,
  status: 200,
  params: patientParams,
  response: patientDeviceList,
});

/**
 * Delete a device of a patient (`patientDevices.delete`).
 *
 * @example
 * await client.request(patientDevicesDelete, ...args); // same arguments as client.patientDevices.delete
 */
export const patientDevicesDelete = defineOperation({
  id: 'patientDevices.delete',
  method: 'DELETE',
  path: '/api/v1/patients/{patientId}/devices/{deviceId}',
  summary: 'Delete a push device of a patient',
  scope: 'write:patients',
  write: true,
  status: 204,
  params: z.strictObject({ patientId: idSchema('pat'), deviceId: idSchema('pdv') }),
});

/**
 * Operations on a patient's push devices.
 *
 * @example
 * patientDeviceOperations.delete.method; // 'DELETE'
 */
export const patientDeviceOperations = {
  register: patientDevicesRegister,
  list: patientDevicesList,
  delete: patientDevicesDelete,
} as const;
