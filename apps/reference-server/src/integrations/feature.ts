/** The integrations feature: the registry of partner integrations (`integrations.*`). */
import type { Feature } from '../feature.ts';
import { integrationHandlers } from './handlers.ts';

/**
 * The integrations feature (its table comes from the core migration, `0001-core`).
 *
 * @example
 * const features: Feature[] = [integrationsFeature];
 */
export const integrationsFeature: Feature = {
  name: 'integrations',
  tables: ['integrations'],
  handlers: integrationHandlers,
};
