/**
 * The claims feature: insurance claims through their lifecycle with the
 * payer (`claims.*`), the background job that talks to the payer, and the
 * operator page that re-delivers a claim's history for a dispute.
 */
import { type Feature, readSection } from '../feature.ts';
import { claimsConfig } from './config.ts';
import { claimHandlers } from './handlers.ts';
import { claimsMigrations } from './migrations.ts';
import { mountClaimOpsRoutes } from './ops.ts';
import { claimsJob } from './worker.ts';

/**
 * The claims feature.
 *
 * @example
 * const features: Feature[] = [...resourceFeatures, claimsFeature];
 */
export const claimsFeature: Feature = {
  name: 'claims',
  tables: ['claims', 'claim_documents'],
  migrations: claimsMigrations,
  config: claimsConfig,
  handlers: (context) => claimHandlers(context.wake),
  routes: mountClaimOpsRoutes,
  jobs: (context) => [
    claimsJob({
      db: context.db,
      insurance: context.providers.insurance,
      manualTasks: context.providers.manualTasks,
      config: readSection(context.config, claimsConfig),
      logger: context.logger,
    }),
  ],
};
