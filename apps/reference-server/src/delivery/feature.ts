/**
 * The delivery feature: the engine that sends events to partner webhook
 * endpoints (signed, retried, dead-lettered), as a job of the scheduler, the
 * API over deliveries and dead letters, its tables, and the retention job
 * that prunes delivered bookkeeping.
 */
import { type Feature, readSection } from '../feature.ts';
import { createDeliveryEngine, type DeliveryEngine } from './bus.ts';
import { type DeliveryConfig, deliveryConfig } from './config.ts';
import { deliveryHandlers } from './handlers.ts';
import { registerDeliveryMetrics } from './metrics.ts';
import { deliveryMigrations } from './migrations.ts';
import { retentionJob } from './retention.ts';
import { scheduleDeliveries } from './schedule-deliveries.ts';
import type { ResolveHost } from './ssrf.ts';

/**
 * Options of {@link deliveryFeature}; by default everything comes from the server's configuration.
 *
 * @example
 * deliveryFeature({ config: deliveryConfig.parse({ WEBHOOK_TARGET_ALLOWLIST: '127.0.0.1:8080' }) });
 */
export interface DeliveryFeatureOptions {
  readonly config?: DeliveryConfig;
  /** Wall clock in ms for the worker (injectable for tests). */
  readonly now?: () => number;
  /** DNS for the SSRF guard (injectable for tests). */
  readonly resolve?: ResolveHost;
}

/**
 * The delivery feature.
 *
 * @example
 * const features: Feature[] = [webhookEndpointsFeature(), deliveryFeature()];
 */
export function deliveryFeature(options: DeliveryFeatureOptions = {}): Feature {
  let engine: DeliveryEngine | undefined;
  return {
    name: 'delivery',
    tables: ['deliveries', 'delivery_attempts'],
    migrations: deliveryMigrations,
    config: deliveryConfig,
    handlers: (context) => deliveryHandlers(context.wake),
    // The engine's fan-out leases new deliveries to this process's worker; before the
    // engine exists (or without one) they are created for any process to claim.
    fanOut: (trx, ids, now) =>
      engine ? engine.fanOut(trx, ids, now) : scheduleDeliveries(trx, ids, now),
    jobs(context) {
      const config = options.config ?? readSection(context.config, deliveryConfig);
      engine = createDeliveryEngine({
        database: context.database,
        config,
        wake: context.wake,
        ...(options.now ? { now: options.now } : {}),
        ...(options.resolve ? { resolve: options.resolve } : {}),
        onRecorded: registerDeliveryMetrics(context.metrics.registry, context.db),
        onError: (error) => context.logger.error({ err: error }, 'delivery error'),
      });
      return [retentionJob(context.db, config.WEBHOOK_RETENTION), engine.job];
    },
    async stop() {
      await engine?.close();
      engine = undefined;
    },
  };
}
