/**
 * The analytics feature: every event is copied, pseudonymised and without
 * PII or clinical detail, into `analytics_events`; with a Segment-compatible
 * sink configured (`SEGMENT_WRITE_KEY`), those rows are exported in
 * batches, at least once, with backlog and freshness metrics.
 */
import { type Feature, readSection } from '../feature.ts';
import { analyticsConfig } from './config.ts';
import { analyticsExportJob, registerAnalyticsExportMetrics } from './export.ts';
import { analyticsMigrations } from './migrations.ts';
import { serverPseudonymiser } from './pseudonymiser.ts';
import { analyticsSubscriber } from './subscriber.ts';

/** Rows per export batch, and how long a process holds them while sending. */
const EXPORT_BATCH = 100;
const EXPORT_LEASE_MS = 60_000;

/**
 * The analytics feature.
 *
 * @example
 * const features: Feature[] = [analyticsFeature];
 */
export const analyticsFeature: Feature = {
  name: 'analytics',
  tables: ['analytics_events'],
  migrations: analyticsMigrations,
  config: analyticsConfig,
  subscribers: (context) => [
    analyticsSubscriber({
      pseudonymiser: serverPseudonymiser(
        context.db,
        readSection(context.config, analyticsConfig).ANALYTICS_PSEUDONYM_KEY,
      ),
    }),
  ],
  jobs(context) {
    const sink = context.providers.analyticsSink;
    if (!sink) return [];
    const onExported = registerAnalyticsExportMetrics(
      context.metrics.registry,
      context.db,
      context.now,
    );
    return [
      analyticsExportJob({
        db: context.db,
        sink,
        batchSize: EXPORT_BATCH,
        leaseMs: EXPORT_LEASE_MS,
        onExported,
        onError: (error) =>
          context.logger.warn({ err: error }, 'analytics export: the sink did not accept a batch'),
      }),
    ];
  },
};
