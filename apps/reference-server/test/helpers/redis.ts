/**
 * The Redis server of the tests (127.0.0.1:6379). Tests that need it skip
 * only when it does not answer, and print why.
 *
 *   const redisUp = await redisAnswers('shared-limits.int.test.ts');
 *   describe.skipIf(!redisUp)('…', () => { … });
 */
import { Redis } from 'ioredis';

/** Where the tests' Redis listens. */
export const TEST_REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * Whether Redis answers on {@link TEST_REDIS_URL}; when it does not, prints that `file` is skipped and why.
 *
 * @example
 * const redisUp = await redisAnswers('shared-limits.int.test.ts');
 */
export async function redisAnswers(file: string): Promise<boolean> {
  const client = new Redis(TEST_REDIS_URL, {
    lazyConnect: true,
    connectTimeout: 1_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return true;
  } catch (error) {
    console.warn(
      `${file} skipped: Redis does not answer on 127.0.0.1:6379 (${String(error)}); run redis-server there to run it`,
    );
    return false;
  } finally {
    client.disconnect();
  }
}
