/**
 * The patients feature: the patient resource (`patients.*`), and the job
 * that encrypts rows stored before encryption or under a retired key.
 */
import type { Feature } from '../feature.ts';
import { patientHandlers } from './handlers.ts';
import { reencryptPatients } from './reencrypt.ts';

/** Rows re-encrypted per scheduler pass: small, so a pass never holds many row locks for long. */
const REENCRYPT_BATCH = 100;

/**
 * The patients feature (its table comes from the core migration, `0001-core`).
 *
 * @example
 * const features: Feature[] = [patientsFeature];
 */
export const patientsFeature: Feature = {
  name: 'patients',
  tables: ['patients'],
  handlers: patientHandlers,
  jobs: (context) => [() => reencryptPatients(context.db, { batch: REENCRYPT_BATCH })],
};
