/**
 * The analytics feature: every event is copied, pseudonymised and without
 * PII or clinical detail, into `analytics_events` for the warehouse export.
 */
import { type Feature, readSection } from '../feature.ts';
import { analyticsConfig } from './config.ts';
import { serverPseudonymiser } from './pseudonymiser.ts';
import { analyticsSubscriber } from './subscriber.ts';

/**
 * The analytics feature.
 *
 * @example
 * const features: Feature[] = [analyticsFeature];
 */
export const analyticsFeature: Feature = {
  name: 'analytics',
  tables: ['analytics_events'],
  config: analyticsConfig,
  subscribers: (context) => [
    analyticsSubscriber({
      pseudonymiser: serverPseudonymiser(
        context.db,
        readSection(context.config, analyticsConfig).ANALYTICS_PSEUDONYM_KEY,
      ),
    }),
  ],
};
