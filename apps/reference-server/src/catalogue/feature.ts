/**
 * The catalogue feature: practitioners, services with prices per clinic
 * and currency, and bookable slots (`practitioners.*`, `services.*`,
 * `availability.*`), written by the `pricing` and `capacity` imports.
 */
import type { Feature } from '../feature.ts';
import { catalogueHandlers } from './handlers.ts';
import { catalogueMigrations } from './migrations.ts';

/**
 * The catalogue feature.
 *
 * @example
 * const features: Feature[] = [...resourceFeatures, catalogueFeature];
 */
export const catalogueFeature: Feature = {
  name: 'catalogue',
  tables: ['practitioners', 'services', 'service_prices', 'slots', 'slot_bookings'],
  migrations: catalogueMigrations,
  handlers: catalogueHandlers,
};
