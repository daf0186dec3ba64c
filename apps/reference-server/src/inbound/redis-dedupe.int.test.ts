/**
 * Inbound dedupe shared through Redis, over HTTP: with `REDIS_URL` a
 * webhook's provider event id is claimed in Redis (24 h TTL) before the
 * insert, and a repeat sent to a second server on the same database is
 * answered as a duplicate from the first server's claim; PostgreSQL stays
 * the source of truth (a stale claim without a row does not lose the
 * webhook, a missing claim does not let a repeat in); with Redis down the
 * servers deduplicate by PostgreSQL alone and raise one alert. Real Redis on
 * 127.0.0.1:6379 (skipped, saying why, when it does not answer); each run
 * has its own key prefix.
 */
import { generateSecret, getScheme } from '@clinicbridge/webhooks';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { startTestServer, type TestServer } from '../../test/helpers/http-server.ts';
import { closedPort } from '../../test/helpers/ports.ts';
import { redisAnswers, TEST_REDIS_URL } from '../../test/helpers/redis.ts';
import { REDIS_ALERT_KIND } from '../redis/shared-limits.ts';
import { inboundFeature } from './feature.ts';
import { INBOUND_DEDUPE_TTL_MS } from './redis-dedupe.ts';

const redisUp = await redisAnswers('redis-dedupe.int.test.ts');
const prefix = `cbtest:${Math.random().toString(36).slice(2, 10)}:`;
const secret = generateSecret();

async function send(server: TestServer, id: string) {
  const body = JSON.stringify({ type: 'visa.note', note: id });
  const headers = getScheme('standard').signSync({ id, payload: body, secret });
  const res = await fetch(`${server.server.url}/webhooks/visa`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...headers },
  });
  return { status: res.status, json: (await res.json()) as { id: string; duplicate: boolean } };
}

describe.skipIf(!redisUp)('inbound webhook dedupe shared through Redis', () => {
  let database: TestDatabase;
  let redis: Redis;
  beforeAll(async () => {
    database = await openTestDatabase();
    redis = new Redis(TEST_REDIS_URL);
  }, 120_000);
  afterAll(async () => {
    const keys = (await redis?.keys(`${prefix}*`)) ?? [];
    if (keys.length > 0) await redis.del(...keys);
    redis?.disconnect();
    await database?.close();
  });

  const env = (url: string) => ({
    REDIS_URL: url,
    REDIS_KEY_PREFIX: prefix,
    INBOUND_VISA_SECRET: secret,
    WEBHOOK_DISPATCHER: 'false',
  });
  const rows = (eventId: string) =>
    database.db
      .selectFrom('inbound_webhooks')
      .select('id')
      .where('provider', '=', 'visa')
      .where('provider_event_id', '=', eventId)
      .execute();

  test('a repeat at another server is a duplicate; the claim lives 24 h; PostgreSQL decides', async () => {
    const options = { tenantCount: 0, database, features: [inboundFeature()] };
    const one = await startTestServer({ ...options, env: env(TEST_REDIS_URL) });
    const two = await startTestServer({ ...options, env: env(TEST_REDIS_URL) });
    try {
      const first = await send(one, 'msg_shared_1');
      expect(first.status).toBe(202);
      const key = `${prefix}inbound:visa:msg_shared_1`;
      expect(await redis.get(key)).toBe(first.json.id);
      const ttl = await redis.pttl(key);
      expect(ttl).toBeGreaterThan(INBOUND_DEDUPE_TTL_MS - 120_000);
      expect(ttl).toBeLessThanOrEqual(INBOUND_DEDUPE_TTL_MS);

      const repeat = await send(two, 'msg_shared_1');
      expect(repeat).toEqual({
        status: 200,
        json: { received: true, id: first.json.id, duplicate: true },
      });
      expect(await rows('msg_shared_1')).toHaveLength(1);

      // A claim without a stored row (its insert failed) does not swallow the webhook.
      await redis.set(`${prefix}inbound:visa:msg_stale_1`, 'inb_never_stored');
      const stale = await send(two, 'msg_stale_1');
      expect(stale.status).toBe(202);
      expect(stale.json.duplicate).toBe(false);
      expect(await rows('msg_stale_1')).toEqual([{ id: stale.json.id }]);

      // A lost claim (expired, evicted) does not let a repeat in: the unique constraint holds.
      await redis.del(key);
      const afterFlush = await send(one, 'msg_shared_1');
      expect(afterFlush.json).toMatchObject({ id: first.json.id, duplicate: true });
      expect(await rows('msg_shared_1')).toHaveLength(1);
    } finally {
      await two.server.close();
      await one.server.close();
    }
  }, 60_000);

  test('with Redis down webhooks are deduplicated by PostgreSQL alone, with one alert', async () => {
    await database.db.deleteFrom('operator_alerts').execute();
    const down = env(`redis://127.0.0.1:${await closedPort()}`);
    const running = await startTestServer({
      tenantCount: 0,
      database,
      features: [inboundFeature()],
      env: down,
    });
    try {
      const first = await send(running, 'msg_down_1');
      expect(first.status).toBe(202);
      const repeat = await send(running, 'msg_down_1');
      expect(repeat.json).toMatchObject({ id: first.json.id, duplicate: true });
      for (let i = 0; i < 5; i++)
        expect((await send(running, `msg_down_more_${i}`)).status).toBe(202);
      expect(await rows('msg_down_1')).toHaveLength(1);
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
