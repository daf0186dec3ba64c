/** The reporting feature: daily counters per tenant (`report_daily`), kept from the events. */
import type { Feature } from '../feature.ts';
import { reportingSubscriber } from './subscriber.ts';

/**
 * The reporting feature.
 *
 * @example
 * const features: Feature[] = [reportingFeature];
 */
export const reportingFeature: Feature = {
  name: 'reporting',
  tables: ['report_daily'],
  subscribers: () => [reportingSubscriber()],
};
