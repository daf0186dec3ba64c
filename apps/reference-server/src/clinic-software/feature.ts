/**
 * The clinic-software feature: deals and itineraries (appointments and
 * flight legs) sent to a partner clinic's own practice software (Doktor365)
 * when the matching events happen, for the tenants configured in `DOKTOR365_CLIENTS`. The
 * subscriber queues each push durably in the event's transaction; the push
 * job sends them with the adapter's retries and breaker, retries an outage
 * later with back-off, and hands a push to /ops as a manual task when the
 * clinic's breaker is open or the push cannot succeed. Without the provider
 * configured the feature does nothing.
 */
import { type Feature, readSection } from '../feature.ts';
import { clinicSoftwareConfig } from './config.ts';
import { clinicSoftwareMigrations } from './migrations.ts';
import { clinicPushSubscriber } from './subscriber.ts';
import { clinicPushJob } from './worker.ts';

/**
 * The clinic-software feature.
 *
 * @example
 * const features: Feature[] = [...resourceFeatures, manualTasksFeature, clinicSoftwareFeature];
 */
export const clinicSoftwareFeature: Feature = {
  name: 'clinic-software',
  tables: ['clinic_pushes', 'clinic_flight_legs'],
  migrations: clinicSoftwareMigrations,
  config: clinicSoftwareConfig,
  subscribers: (context) => {
    const clinicSoftware = context.providers.clinicSoftware;
    return clinicSoftware ? [clinicPushSubscriber(clinicSoftware.tenants)] : [];
  },
  jobs: (context) => {
    const clinicSoftware = context.providers.clinicSoftware;
    if (!clinicSoftware) return [];
    const config = readSection(context.config, clinicSoftwareConfig);
    return [
      clinicPushJob({
        db: context.db,
        clinicSoftware,
        manualTasks: context.providers.manualTasks,
        retryAfterMs: config.CLINIC_PUSH_RETRY_AFTER,
        maxAttempts: config.CLINIC_PUSH_MAX_ATTEMPTS,
        onError: (error) =>
          context.logger.warn(
            { err: error instanceof Error ? error.message : error },
            'clinic software: a push did not go through',
          ),
      }),
    ];
  },
};
