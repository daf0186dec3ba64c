/**
 * The server's rate limits: in-process buckets by default; with
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
  const { redis, db, logger } = options;
  if (!redis) return local;
  return new RedisRateLimiter({
    redis,
    limits: options.limits,
    fallback: local,
    onOutage(error) {
      logger.warn({ err: error }, 'redis: unavailable; rate limits fall back to this process');
      void raiseAlert(db, {
        tenantId: null,
        kind: REDIS_ALERT_KIND,
        message:
          'Redis does not answer: rate limits are enforced per process (up to N times the limit across N processes) until it does. Check REDIS_URL and the Redis server.',
        details: { error: error instanceof Error ? error.message.slice(0, 300) : 'unknown' },
        now: new Date(),
      }).catch((alertError: unknown) => logger.warn({ err: alertError }, 'redis: alert failed'));
    },
    onRecovery() {
      logger.info('redis: answering again; rate limits are shared');
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
  });
}
