/**
 * The visas feature: medical visa applications for a patient's case
 * (`visas.*`), and the background job that submits them to the visa
 * partner (or to the operators as manual tasks), follows their decision
 * and sends cancellations.
 */
import { type Feature, readSection } from '../feature.ts';
import { visasConfig } from './config.ts';
import { visaHandlers } from './handlers.ts';
import { visasMigrations } from './migrations.ts';
import { visasJob } from './worker.ts';

/**
 * The visas feature.
 *
 * @example
 * const features: Feature[] = [...resourceFeatures, visasFeature];
 */
export const visasFeature: Feature = {
  name: 'visas',
  tables: ['visa_applications', 'visa_documents'],
  migrations: visasMigrations,
  config: visasConfig,
  handlers: (context) => visaHandlers(context.wake),
  jobs: (context) => [
    visasJob({
      db: context.db,
      visas: context.providers.visas,
      manualTasks: context.providers.manualTasks,
      config: readSection(context.config, visasConfig),
      logger: context.logger,
    }),
  ],
};
