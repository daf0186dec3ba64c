/**
 * The server's rate limits (and the outage alert of everything on Redis): in-process buckets by default; with
 * `REDIS_URL`, Redis buckets shared by every process, falling back to the
 * in-process buckets while Redis does not answer, with one operator alert
 * (`redis_unavailable`) per outage, resolved when Redis answers again.
 */
import type { Kysely } from 'kysely';
import { raiseAlert } from '../alerts/raise.ts';
import type { DB } from '../db/schema.ts';
import { RateLimiter, type RateLimits, type TierLimits } from '../http/rate-limit.ts';
import type { Logger } from '../observability/logger.ts';
import type { SharedRedis } from './client.ts';
import { RedisRateLimiter } from './rate-limit.ts';

/** The kind of the operator alert raised while Redis does not answer. */
export const REDIS_ALERT_KIND = 'redis_unavailable';

/**
 * The outage hooks of everything that uses Redis: a warning and one
 * `redis_unavailable` operator alert per outage, resolved on recovery.
 *
 * @example
 * const alerts = redisOutageAlerts(db, logger);
 * new RedisTokenCache(redis, { onOutage: alerts.onOutage });
 */
export function redisOutageAlerts(
  db: Kysely<DB>,
  logger: Logger,
): { onOutage: (error: unknown) => void; onRecovery: () => void } {
  return {
    onOutage(error) {
      logger.warn({ err: error }, 'redis: unavailable; falling back to this process');
      // Each user of Redis (rate limits, token cache, inbound dedupe) notices the
      // outage on its own; one open alert covers them all.
      void openRedisAlert(db)
        .then((open) =>
          open
            ? undefined
            : raiseAlert(db, {
                tenantId: null,
                kind: REDIS_ALERT_KIND,
                message:
                  'Redis does not answer: rate limits are enforced per process (up to N times the limit across N processes), provider tokens are cached per process and inbound webhooks are deduplicated by PostgreSQL alone until it does. Check REDIS_URL and the Redis server.',
                details: {
                  error: error instanceof Error ? error.message.slice(0, 300) : 'unknown',
                },
                now: new Date(),
              }),
        )
        .catch((alertError: unknown) => logger.warn({ err: alertError }, 'redis: alert failed'));
    },
    onRecovery() {
      logger.info('redis: answering again');
      void db
        .updateTable('operator_alerts')
        .set({ resolved_at: new Date() })
        .where('kind', '=', REDIS_ALERT_KIND)
        .where('resolved_at', 'is', null)
        .execute()
        .catch((error: unknown) =>
          logger.warn({ err: error }, 'redis: resolving the alert failed'),
        );
    },
  };
}

function openRedisAlert(db: Kysely<DB>) {
  return db
    .selectFrom('operator_alerts')
    .select('id')
    .where('kind', '=', REDIS_ALERT_KIND)
    .where('resolved_at', 'is', null)
    .executeTakeFirst();
}

/**
 * Builds the rate limits for this process.
 *
 * @example
 * const limits = serverRateLimits({ limits, redis, db, logger });
 */
export function serverRateLimits(options: {
  limits: TierLimits;
  redis: SharedRedis | undefined;
  db: Kysely<DB>;
  logger: Logger;
}): RateLimits {
  const local = new RateLimiter(options.limits);
  if (!options.redis) return local;
  return new RedisRateLimiter({
    redis: options.redis,
    limits: options.limits,
    fallback: local,
    ...redisOutageAlerts(options.db, options.logger),
  });
}
