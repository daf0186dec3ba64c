/** The visits feature: visits (`visits.*`). */
import type { Feature } from '../feature.ts';
import { visitHandlers } from './handlers.ts';

/**
 * The visits feature (its table comes from the core migration, `0001-core`).
 *
 * @example
 * const features: Feature[] = [visitsFeature];
 */
export const visitsFeature: Feature = {
  name: 'visits',
  tables: ['visits'],
  handlers: visitHandlers,
};
