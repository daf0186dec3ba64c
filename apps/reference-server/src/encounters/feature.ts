/**
 * The encounters feature: the `encounters` resource (read and list, by
 * patient) over the tables the hospital's ADT feed writes (see src/hl7/).
 */
import type { Feature } from '../feature.ts';
import { encounterHandlers } from './handlers.ts';
import { encounterMigrations } from './migrations.ts';

/**
 * The encounters feature.
 *
 * @example
 * const features: Feature[] = [encountersFeature];
 */
export const encountersFeature: Feature = {
  name: 'encounters',
  tables: ['encounters', 'encounter_locations'],
  migrations: encounterMigrations,
  handlers: encounterHandlers,
};
