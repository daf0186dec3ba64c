/**
 * The manual-tasks feature: the table where adapters leave work a person
 * must do (a provider down, no API) and the sink that writes it; the
 * operator console lists and completes them.
 */
import type { Feature } from '../feature.ts';
import { operatorMigrations } from './store.ts';

/**
 * The manual-tasks feature.
 *
 * @example
 * const features: Feature[] = [manualTasksFeature];
 */
export const manualTasksFeature: Feature = {
  name: 'manual-tasks',
  tables: ['manual_tasks'],
  migrations: operatorMigrations,
};
