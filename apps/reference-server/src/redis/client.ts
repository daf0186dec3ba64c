/**
 * The optional shared Redis (`REDIS_URL`): one client per process, failing
 * fast instead of queueing while Redis is down, so a caller falls back to
 * its in-process path at once (see rate-limit.ts) rather than waiting.
 * PostgreSQL and in-process state stay the default: nothing here runs
 * unless `REDIS_URL` is set.
 */
import { Redis } from 'ioredis';

/**
 * A connected client and the prefix of every key this server writes.
 *
 * @example
 * const shared = connectSharedRedis('redis://127.0.0.1:6379', 'clinicbridge:');
 * await shared.client.get(`${shared.prefix}whatsapp:access_token`);
 * await shared.close();
 */
export interface SharedRedis {
  readonly client: Redis;
  readonly prefix: string;
  close(): Promise<void>;
}

/** Bound on one command: past it the caller takes its fallback path. */
const COMMAND_TIMEOUT_MS = 500;

/**
 * Connects (in the background; commands fail at once until connected).
 *
 * @example
 * const shared = connectSharedRedis(config.REDIS_URL, config.REDIS_KEY_PREFIX);
 */
export function connectSharedRedis(url: string, prefix: string): SharedRedis {
  const client = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: COMMAND_TIMEOUT_MS,
    connectTimeout: 2_000,
    // Reconnect forever, at most every 2 s: the fallback serves meanwhile.
    retryStrategy: (attempt) => Math.min(2_000, 50 * 2 ** Math.min(attempt, 6)),
    connectionName: 'clinicbridge',
  });
  // Errors surface on the commands that fail; the client's own event would be unhandled.
  client.on('error', () => undefined);
  return {
    client,
    prefix,
    async close() {
      client.disconnect();
    },
  };
}
