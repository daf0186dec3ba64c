/** The appointments feature: booking, changing and the appointment state machine (`appointments.*`). */
import type { Feature } from '../feature.ts';
import { appointmentHandlers } from './handlers.ts';

/**
 * The appointments feature (its table comes from the core migration, `0001-core`).
 *
 * @example
 * const features: Feature[] = [appointmentsFeature];
 */
export const appointmentsFeature: Feature = {
  name: 'appointments',
  tables: ['appointments'],
  handlers: appointmentHandlers,
};
