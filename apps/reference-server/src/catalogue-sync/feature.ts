/**
 * The national catalogue sync (USHAŞ / HealthTürkiye): every slot of
 * `USHAS_SYNC_CRON` (default every six hours, UTC) the source's providers
 * and packages are merged into the catalogue of `USHAS_SYNC_TENANT`
 * (./sync.ts, ./merge.ts). Slots are enqueued once and run once across
 * all server processes on one database, and missed slots are caught up
 * (src/scheduler/slots.ts). Off unless both the source (`USHAS_API_KEY`)
 * and the tenant are configured.
 */
import type { Feature } from '../feature.ts';
import { readSection } from '../feature.ts';
import { scheduledSlotsJob } from '../scheduler/slots.ts';
import { catalogueSyncConfig } from './config.ts';
import { catalogueSyncMigrations } from './migrations.ts';
import { syncCatalogue } from './sync.ts';

/** The schedule's name in `schedule_runs` and `schedule_leases`. */
export const CATALOGUE_SYNC_SCHEDULE = 'ushas.sync';

/**
 * The catalogue sync feature.
 *
 * @example
 * const features: Feature[] = [...resourceFeatures, manualTasksFeature, catalogueSyncFeature];
 */
export const catalogueSyncFeature: Feature = {
  name: 'catalogue-sync',
  tables: ['catalogue_sync_records', 'catalogue_sync_state'],
  migrations: catalogueSyncMigrations,
  config: catalogueSyncConfig,
  jobs: (context) => {
    const config = readSection(context.config, catalogueSyncConfig);
    const source = context.providers.catalogueSource;
    const tenantId = config.USHAS_SYNC_TENANT;
    if (!source || !tenantId) return [];
    const logger = context.logger;
    return [
      scheduledSlotsJob({
        db: context.db,
        schedule: CATALOGUE_SYNC_SCHEDULE,
        pattern: config.USHAS_SYNC_CRON,
        maxCatchUp: config.USHAS_SYNC_MAX_CATCHUP,
        leaseMs: config.USHAS_SYNC_LEASE,
        clock: context.now,
        run: async (slot, now) => {
          const result = await syncCatalogue(
            {
              db: context.db,
              source,
              manualTasks: context.providers.manualTasks,
              tenantId,
              language: config.USHAS_SYNC_LANGUAGE,
              pageSize: config.USHAS_SYNC_PAGE_SIZE,
              maxPages: config.USHAS_SYNC_MAX_PAGES,
              logger,
            },
            slot,
            now,
          );
          logger.info({ slot: slot.toISOString(), ...result }, 'catalogue sync ran');
          return { ...result };
        },
        onSkipped: (after, now) =>
          logger.warn(
            { after: after.toISOString(), now: now.toISOString() },
            'catalogue sync: older missed slots skipped (catch-up is bounded by USHAS_SYNC_MAX_CATCHUP)',
          ),
        onError: (slot, err) =>
          logger.error({ err, slot: slot.toISOString() }, 'catalogue sync failed'),
      }),
    ];
  },
};
