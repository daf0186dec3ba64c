/**
 * The CRM feature: the non-clinical marketing fields of events are queued
 * in `crm_sync_records` by the subscriber, in the event's transaction; the
 * sync job sends them to the configured CRM (HubSpot) for the tenants it
 * mirrors — contacts only for people who gave marketing consent, deals for
 * invoices — with last-writer-wins and an audit row either way, retries an
 * outage with back-off, and hands a write to /ops as a manual task when the
 * breaker is open. HubSpot's signed webhook (`/webhooks/hubspot`, see
 * ../inbound) brings attribution back to leads. Without the provider
 * configured records stay queued and nothing leaves the platform.
 */
import { type Feature, readSection } from '../feature.ts';
import { crmConfig } from './config.ts';
import { registerCrmSyncMetrics } from './metrics.ts';
import { crmMigrations } from './migrations.ts';
import { crmSyncSubscriber } from './subscriber.ts';
import { crmSyncJob } from './sync-job.ts';

/**
 * The CRM sync feature.
 *
 * @example
 * const features: Feature[] = [crmFeature];
 */
export const crmFeature: Feature = {
  name: 'crm',
  tables: ['crm_sync_records', 'crm_links'],
  migrations: crmMigrations,
  config: crmConfig,
  subscribers: () => [crmSyncSubscriber()],
  jobs: (context) => {
    const crm = context.providers.crm;
    if (!crm) return [];
    const config = readSection(context.config, crmConfig);
    return [
      crmSyncJob({
        db: context.db,
        crm,
        manualTasks: context.providers.manualTasks,
        retryAfterMs: config.CRM_SYNC_RETRY_AFTER,
        maxAttempts: config.CRM_SYNC_MAX_ATTEMPTS,
        onSettled: registerCrmSyncMetrics(context.metrics.registry, context.db),
        onError: (error) =>
          context.logger.warn(
            { err: error instanceof Error ? error.name : 'error' },
            'crm: a write did not go through',
          ),
      }),
    ];
  },
};
