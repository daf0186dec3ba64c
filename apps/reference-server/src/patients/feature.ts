/**
 * The patients feature: the patient resource (`patients.*`), a patient's
 * push devices (`patientDevices.*`, tokens encrypted), and the jobs that
 * encrypt rows stored before encryption or under a retired key.
 */
import type { Feature } from '../feature.ts';
import { patientDeviceMigrations, reencryptDevices } from './devices.ts';
import { patientDeviceHandlers, patientHandlers } from './handlers.ts';
import { reencryptPatients } from './reencrypt.ts';

/** Rows re-encrypted per scheduler pass: small, so a pass never holds many row locks for long. */
const REENCRYPT_BATCH = 100;

/**
 * The patients feature (`patients` comes from the core migration, `0001-core`).
 *
 * @example
 * const features: Feature[] = [patientsFeature];
 */
export const patientsFeature: Feature = {
  name: 'patients',
  tables: ['patients', 'patient_devices'],
  migrations: patientDeviceMigrations,
  handlers: { ...patientHandlers, ...patientDeviceHandlers },
  jobs: (context) => [
    () => reencryptPatients(context.db, { batch: REENCRYPT_BATCH }),
    () => reencryptDevices(context.db, { batch: REENCRYPT_BATCH }),
  ],
};
