/** The patients feature: the patient resource (`patients.*`). */
import type { Feature } from '../feature.ts';
import { patientHandlers } from './handlers.ts';

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
};
