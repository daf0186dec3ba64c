/**
 * The shared inbound dedupe store (with `REDIS_URL`): before the durable
 * insert, `SET <prefix>inbound:<provider>:<event id> <row id> NX PX 24h GET`
 * tells whether any process saw this provider event in the last 24 hours.
 * A repeat then costs one indexed read of the stored row instead of a
 * refused insert and a read. PostgreSQL's unique constraint stays the
 * source of truth: a Redis hit without a stored row (the first insert still
 * running, or failed) falls through to the insert, so no webhook is lost to
 * a stale key; a missing key (expired, evicted, Redis flushed) only costs
 * the ordinary insert. While Redis does not answer, every webhook takes the
 * PostgreSQL-only path and `onOutage` is told once per outage.
 */
import type { Redis } from 'ioredis';
import type { SharedRedis } from '../redis/client.ts';

/** How long a claim waits for the first connection of a starting process. */
const FIRST_CONNECT_WAIT_MS = 1_000;

/** Waits (briefly) for the first connection; a process that just started is not an outage. */
async function firstConnection(client: Redis): Promise<void> {
  if (client.status !== 'wait' && client.status !== 'connecting' && client.status !== 'connect')
    return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    new Promise<void>((resolve) => client.once('ready', () => resolve())),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, FIRST_CONNECT_WAIT_MS);
    }),
  ]);
  clearTimeout(timer);
}

/** How long Redis remembers a provider event id: 24 hours. */
export const INBOUND_DEDUPE_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * What the dedupe store says about a provider event before the insert:
 * `first` (nobody claimed it), `seen` with the id the first claim chose,
 * or `unknown` (no store, or Redis did not answer).
 *
 * @example
 * const answer: DedupeAnswer = { kind: 'seen', id: 'inb_…' };
 */
export type DedupeAnswer = { kind: 'first' } | { kind: 'seen'; id: string } | { kind: 'unknown' };

/**
 * A shared record of provider event ids already received.
 *
 * @example
 * const answer = await dedupe.claim('payments', 'evt_1', 'inb_1');
 */
export interface InboundDedupe {
  /** Records `id` for the event unless one is recorded; answers what was there. */
  claim(provider: string, providerEventId: string, id: string): Promise<DedupeAnswer>;
}

/**
 * Options of {@link redisInboundDedupe}.
 *
 * @example
 * const options: RedisInboundDedupeOptions = { redis, onOutage: (e) => log.warn(e) };
 */
export interface RedisInboundDedupeOptions {
  readonly redis: SharedRedis;
  /** Default {@link INBOUND_DEDUPE_TTL_MS}. */
  readonly ttlMs?: number;
  readonly onOutage?: (error: unknown) => void;
  readonly onRecovery?: () => void;
}

/**
 * The Redis dedupe store, keys `<prefix>inbound:<provider>:<provider event id>`.
 *
 * @example
 * const dedupe = redisInboundDedupe({ redis, ...redisOutageAlerts(db, logger) });
 */
export function redisInboundDedupe(options: RedisInboundDedupeOptions): InboundDedupe {
  const ttl = options.ttlMs ?? INBOUND_DEDUPE_TTL_MS;
  let down = false;
  return {
    async claim(provider, providerEventId, id) {
      const { client, prefix } = options.redis;
      try {
        await firstConnection(client);
        // SET … NX GET (Redis ≥ 7): one round trip that claims and reads.
        const previous = await client.set(
          `${prefix}inbound:${provider}:${providerEventId}`,
          id,
          'PX',
          ttl,
          'NX',
          'GET',
        );
        if (down) {
          down = false;
          options.onRecovery?.();
        }
        return previous === null ? { kind: 'first' } : { kind: 'seen', id: previous };
      } catch (error) {
        if (!down) {
          down = true;
          options.onOutage?.(error);
        }
        return { kind: 'unknown' };
      }
    },
  };
}
