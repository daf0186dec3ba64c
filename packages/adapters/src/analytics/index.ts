/**
 * @clinicbridge/adapters/analytics — the buffered, at-least-once exporter in
 * front of any `AnalyticsSink`, and the pseudonymisation helpers.
 */

export {
  allowProperties,
  isForbiddenPropertyKey,
  pseudonymise,
  trackEvent,
} from '../ports/analytics.ts';
export {
  type BufferedAnalyticsExporter,
  type BufferedAnalyticsExporterOptions,
  createBufferedAnalyticsExporter,
  type FlushResult,
} from './exporter.ts';
