/**
 * Rate limits shared through Redis, over HTTP: two started servers on one
 * database, each with its own limiter and Redis connection, hold a
 * credential to its limit together (within 10%), where per-process buckets
 * would allow twice as much; with Redis down a server falls back to its own
 * buckets (still limiting) and raises one operator alert. Real Redis on
 * 127.0.0.1:6379 (skipped, saying why, when it does not answer); each run
 * has its own key prefix.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { startTestServer, type TestServer } from '../../test/helpers/http-server.ts';
import { closedPort } from '../../test/helpers/ports.ts';
import { redisAnswers, TEST_REDIS_URL } from '../../test/helpers/redis.ts';
import { REDIS_ALERT_KIND } from './shared-limits.ts';

const redisUp = await redisAnswers('shared-limits.int.test.ts');
const LIMIT = 60;
const prefix = `cbtest:${Math.random().toString(36).slice(2, 10)}:`;

async function get(server: TestServer, apiKey: string): Promise<number> {
  const res = await fetch(`${server.server.url}/api/v1/patients`, {
    headers: { authorization: `Bearer ${apiKey}` },
  });
  await res.arrayBuffer();
  return res.status;
}

describe.skipIf(!redisUp)('rate limits shared through Redis', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(async () => {
    await database?.close();
  });

  test('two servers hold a credential to its limit together, within 10%', async () => {
    const env = {
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      RATE_LIMIT_STANDARD_PER_MINUTE: String(LIMIT),
      RATE_LIMIT_HIGH_PER_MINUTE: String(LIMIT),
      WEBHOOK_DISPATCHER: 'false',
    };
    const one = await startTestServer({ tenantCount: 1, env, database });
    const two = await startTestServer({ tenantCount: 0, env, database });
    try {
      const apiKey = one.tenants[0]?.apiKey ?? '';
      const started = Date.now();
      const statuses: Record<'one' | 'two', number[]> = { one: [], two: [] };
      for (let i = 0; i < 2 * LIMIT; i++) {
        statuses.one.push(await get(one, apiKey));
        statuses.two.push(await get(two, apiKey));
      }
      // The bucket refills one request a second while the loop runs.
      const refilled = ((Date.now() - started) / 60_000) * LIMIT;
      const allowed = [...statuses.one, ...statuses.two].filter((s) => s === 200).length;
      expect(allowed).toBeGreaterThanOrEqual(LIMIT);
      expect(allowed).toBeLessThanOrEqual(Math.ceil(LIMIT * 1.1 + refilled));
      expect(statuses.one).toContain(429);
      expect(statuses.two).toContain(429);
      expect([...statuses.one, ...statuses.two].every((s) => s === 200 || s === 429)).toBe(true);
    } finally {
      await two.server.close();
      await one.server.close();
    }
  }, 120_000);

  test('with Redis down a server limits on its own buckets and raises one alert', async () => {
    await database.db.deleteFrom('operator_alerts').execute();
    const running = await startTestServer({
      tenantCount: 1,
      database,
      env: {
        REDIS_URL: `redis://127.0.0.1:${await closedPort()}`,
        REDIS_KEY_PREFIX: prefix,
        RATE_LIMIT_STANDARD_PER_MINUTE: String(LIMIT),
        RATE_LIMIT_HIGH_PER_MINUTE: String(LIMIT),
        WEBHOOK_DISPATCHER: 'false',
      },
    });
    try {
      const apiKey = running.tenants[0]?.apiKey ?? '';
      const started = Date.now();
      const statuses: number[] = [];
      for (let i = 0; i < LIMIT + 20; i++) statuses.push(await get(running, apiKey));
      const refilled = ((Date.now() - started) / 60_000) * LIMIT;
      const allowed = statuses.filter((s) => s === 200).length;
      expect(allowed).toBeGreaterThanOrEqual(LIMIT);
      expect(allowed).toBeLessThanOrEqual(Math.ceil(LIMIT + refilled));
      expect(statuses.at(-1)).toBe(429);
      const deadline = Date.now() + 10_000;
      let alerts: { resolved_at: Date | null }[] = [];
      while (alerts.length === 0 && Date.now() < deadline) {
        alerts = await database.db
          .selectFrom('operator_alerts')
          .select('resolved_at')
          .where('kind', '=', REDIS_ALERT_KIND)
          .execute();
        if (alerts.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(alerts).toHaveLength(1);
      expect(alerts[0]?.resolved_at).toBeNull();
    } finally {
      await running.server.close();
    }
  }, 60_000);
});
