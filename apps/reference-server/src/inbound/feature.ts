/**
 * The inbound feature: `POST /webhooks/:provider` verifies, deduplicates and
 * stores provider webhooks and answers at once (repeats answered from the
 * shared Redis dedupe store first when `REDIS_URL` is set); its job processes them
 * from the durable table (domain updates, catalogue events).
 */
import { type Feature, readSection } from '../feature.ts';
import { redisOutageAlerts } from '../redis/shared-limits.ts';
import { type InboundConfig, inboundConfig } from './config.ts';
import { inboundMigrations } from './migrations.ts';
import { processInboundWebhooks } from './processor.ts';
import { redisInboundDedupe } from './redis-dedupe.ts';
import { mountInboundRoutes } from './routes.ts';

/**
 * The inbound feature.
 *
 * @example
 * const features: Feature[] = [inboundFeature()];
 */
export function inboundFeature(options: { config?: InboundConfig } = {}): Feature {
  return {
    name: 'inbound',
    tables: ['inbound_webhooks', 'provider_entities'],
    migrations: inboundMigrations,
    config: inboundConfig,
    routes: (app, context) =>
      mountInboundRoutes(app, {
        db: context.db,
        config: options.config ?? readSection(context.config, inboundConfig),
        now: context.now,
        wake: context.wake,
        ...(context.redis
          ? {
              dedupe: redisInboundDedupe({
                redis: context.redis,
                ...redisOutageAlerts(context.db, context.logger),
              }),
            }
          : {}),
      }),
    jobs: (context) => [(now) => processInboundWebhooks(context.db, now)],
  };
}
