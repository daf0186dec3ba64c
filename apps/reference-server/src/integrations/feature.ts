/**
 * The integrations feature: the registry of partner integrations
 * (`integrations.*`) with its governance (justification, data scope, risk,
 * owner, review date; pause, deprecate, resume; linked credentials and
 * endpoints), and the job that raises an alert as a review comes due.
 */
import { type Feature, readSection } from '../feature.ts';
import { integrationHandlers } from './handlers.ts';
import { integrationMigrations } from './migrations.ts';
import { integrationReviewJob, integrationsConfig } from './review.ts';

/**
 * The integrations feature (its table comes from the core migration, `0001-core`).
 *
 * @example
 * const features: Feature[] = [integrationsFeature];
 */
export const integrationsFeature: Feature = {
  name: 'integrations',
  tables: ['integrations'],
  migrations: integrationMigrations,
  config: integrationsConfig,
  handlers: (context) => integrationHandlers(context.wake),
  jobs: (context) => [
    integrationReviewJob(
      context.db,
      readSection(context.config, integrationsConfig).INTEGRATION_REVIEW_ALERT_DAYS,
    ),
  ],
};
