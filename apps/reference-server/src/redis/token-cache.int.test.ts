/**
 * The adapters' OAuth2 token cache in Redis: two clients with their own
 * Redis connections (as two server processes have) fetch one token between
 * them, stored with a TTL from its expiry minus the refresh margin; with
 * Redis down each still gets a token. A real token endpoint on 127.0.0.1
 * counts requests; real Redis on 127.0.0.1:6379 (skipped, saying why, when
 * it does not answer).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { oauth2ClientCredentials } from '@clinicbridge/adapters';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { closedPort } from '../../test/helpers/ports.ts';
import { redisAnswers, TEST_REDIS_URL } from '../../test/helpers/redis.ts';
import { connectSharedRedis, type SharedRedis } from './client.ts';
import { RedisTokenCache } from './token-cache.ts';

const redisUp = await redisAnswers('token-cache.int.test.ts');
const prefix = `cbtest:${Math.random().toString(36).slice(2, 10)}:`;

describe.skipIf(!redisUp)('OAuth2 tokens shared through Redis', () => {
  let server: Server;
  let tokenUrl = '';
  let issued = 0;
  const connections: SharedRedis[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        issued += 1;
        // A slow provider: the second client asks while the first waits.
        setTimeout(() => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ access_token: `tok_${issued}`, expires_in: 1_800 }));
        }, 200);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    tokenUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
  });
  afterAll(async () => {
    for (const shared of connections) {
      await shared.client.del(`${prefix}amadeus:token`).catch(() => 0);
      await shared.close();
    }
    await new Promise((resolve) => server.close(resolve));
  });

  const client = (shared: SharedRedis, outages: unknown[] = []) =>
    oauth2ClientCredentials({
      provider: 'amadeus',
      tokenUrl,
      clientId: 'client',
      clientSecret: 'secret',
      cache: new RedisTokenCache(shared, { onOutage: (error) => outages.push(error) }),
      cacheKey: 'amadeus:token',
    });

  async function ready(shared: SharedRedis): Promise<SharedRedis> {
    connections.push(shared);
    const deadline = Date.now() + 5_000;
    while (shared.client.status !== 'ready' && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    return shared;
  }

  test('two clients on two connections fetch one token, kept until expiry minus the margin', async () => {
    issued = 0;
    const one = client(await ready(connectSharedRedis(TEST_REDIS_URL, prefix)));
    const two = client(await ready(connectSharedRedis(TEST_REDIS_URL, prefix)));
    const requests = [
      new Request('http://x/a'),
      new Request('http://x/b'),
      new Request('http://x/c'),
    ];
    await Promise.all([
      one.authorize(requests[0] as Request),
      two.authorize(requests[1] as Request),
      two.authorize(requests[2] as Request),
    ]);
    expect(issued).toBe(1);
    expect(one.tokenRequests + two.tokenRequests).toBe(1);
    expect(requests.map((r) => r.headers.get('authorization'))).toEqual([
      'Bearer tok_1',
      'Bearer tok_1',
      'Bearer tok_1',
    ]);
    const ttl = await (connections[0] as SharedRedis).client.pttl(`${prefix}amadeus:token`);
    // 1,800 s minus the default 60 s margin.
    expect(ttl).toBeGreaterThan(1_700_000);
    expect(ttl).toBeLessThanOrEqual(1_740_000);
    expect(await (connections[0] as SharedRedis).client.exists(`${prefix}amadeus:token:lock`)).toBe(
      0,
    );
  });

  test('with Redis down each client fetches its own token and reports the outage', async () => {
    issued = 0;
    const outages: unknown[] = [];
    const down = client(
      connectSharedRedis(`redis://127.0.0.1:${await closedPort()}`, prefix),
      outages,
    );
    connections.push(connectSharedRedis(TEST_REDIS_URL, prefix));
    const request = new Request('http://x/a');
    await down.authorize(request);
    expect(request.headers.get('authorization')).toBe('Bearer tok_1');
    expect(issued).toBe(1);
    expect(outages).toHaveLength(1);
    // The in-process fallback keeps it for this client.
    const again = new Request('http://x/b');
    await down.authorize(again);
    expect(issued).toBe(1);
  });
});
