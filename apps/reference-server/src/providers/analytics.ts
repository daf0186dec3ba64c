/**
 * The analytics provider: a Segment-compatible HTTP Tracking API
 * (`@clinicbridge/adapters/segment`, `POST /v1/batch`), built when its write
 * key is set (it may come from `SEGMENT_WRITE_KEY_FILE`). `SEGMENT_URL`
 * points it at another compatible collector (RudderStack, Jitsu, a local
 * fake). Without it, pseudonymised events stay in `analytics_events` and
 * nothing is exported.
 */
import type { AnalyticsSink } from '@clinicbridge/adapters';
import { createSegmentSink } from '@clinicbridge/adapters/segment';
import * as z from 'zod';
import { optionalUrl, optionalValue } from './config-values.ts';
import type { ProviderGroup } from './group.ts';

/**
 * The analytics provider's section of the environment.
 *
 * @example
 * analyticsProvidersConfig.parse({ SEGMENT_WRITE_KEY: 'wk_…' });
 */
export const analyticsProvidersConfig = z.object({
  /** Write key of the Segment source (HTTP Basic user name); unset keeps the export off. */
  SEGMENT_WRITE_KEY: optionalValue,
  /** Base URL of a Segment-compatible collector; default `https://api.segment.io`. */
  SEGMENT_URL: optionalUrl,
});

/**
 * The analytics sink of a process.
 *
 * @example
 * const ack = await providers.analyticsSink?.sendBatch(events);
 */
export interface AnalyticsProviders {
  readonly analyticsSink?: AnalyticsSink;
}

/**
 * Builds the Segment sink when its write key is set.
 *
 * @example
 * const { built, absent } = analyticsProviders.build(analyticsProvidersConfig.parse(process.env), shared);
 */
export const analyticsProviders: ProviderGroup<
  typeof analyticsProvidersConfig,
  AnalyticsProviders
> = {
  config: analyticsProvidersConfig,
  build(config, shared) {
    if (!config.SEGMENT_WRITE_KEY) return { built: {}, absent: ['segment'] };
    return {
      built: {
        analyticsSink: createSegmentSink({
          metrics: shared.metrics,
          audit: shared.audit,
          writeKey: config.SEGMENT_WRITE_KEY,
          ...(config.SEGMENT_URL ? { baseUrl: config.SEGMENT_URL } : {}),
        }),
      },
      absent: [],
    };
  },
};
