/**
 * Clinic software tokens shared through Redis: two server processes on one
 * database and one Redis (127.0.0.1:6379), both pushing to the fake
 * Doktor365 served on 127.0.0.1, fetch one token for the tenant between
 * them; it sits in Redis under `d365:token:{tenant}`.
 */
import {
  DOKTOR365_API,
  FakeDoktor365,
  type ServedFakeProvider,
  serveFakeProvider,
} from '@clinicbridge/adapters/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { patientBody } from '../../test/helpers/fixtures.ts';
import { startTestServer, type TestServer, tenantClient } from '../../test/helpers/http-server.ts';
import { redisAnswers, TEST_REDIS_URL } from '../../test/helpers/redis.ts';
import { until } from '../../test/helpers/until.ts';
import { manualTasksFeature } from '../manual-tasks/feature.ts';
import { type CreatedTenant, createTenant } from '../tenants/service.ts';
import { clinicSoftwareFeature } from './feature.ts';

const redisUp = await redisAnswers('clinic-software-redis.int.test.ts');

let database: TestDatabase;
let d365: FakeDoktor365;
let served: ServedFakeProvider;
let tenant: CreatedTenant;
const servers: TestServer[] = [];

const start = async () => {
  const started = await startTestServer({
    database,
    tenantCount: 0,
    features: [manualTasksFeature, clinicSoftwareFeature],
    env: {
      REDIS_URL: TEST_REDIS_URL,
      DOKTOR365_CLIENTS: JSON.stringify(d365.credentials),
      DOKTOR365_API_URL: served.url,
      WEBHOOK_POLL_INTERVAL: '200ms',
    },
  });
  return { server: started.server, tenants: [tenant] };
};

beforeAll(async () => {
  if (!redisUp) return;
  database = await openTestDatabase();
  tenant = await createTenant(database.db, { name: 'Clinic R' });
  d365 = new FakeDoktor365([tenant.tenantId]);
  served = await serveFakeProvider(DOKTOR365_API, d365.handlers());
  servers.push(await start(), await start());
}, 180_000);
afterAll(async () => {
  for (const running of servers) await running.server.close();
  await served?.close();
  await database?.close();
});

async function pushDeal(running: TestServer, description: string): Promise<string> {
  const { api } = tenantClient(() => running);
  const patient = await api<{ id: string }>('POST', '/api/v1/patients', patientBody());
  const invoice = await api<{ id: string }>('POST', '/api/v1/invoices', {
    patientId: patient.id,
    currency: 'EUR',
    lines: [{ description, quantity: 1, unitPrice: { amount: 1_000, currency: 'EUR' } }],
  });
  await until(
    () => d365.records(tenant.tenantId).get(`deals/${invoice.id}`),
    `deal ${invoice.id} at the fake`,
  );
  return invoice.id;
}

describe.skipIf(!redisUp)('Doktor365 tokens in the shared Redis', () => {
  test('two processes fetch one token for the tenant between them', async () => {
    const [first, second] = servers as [TestServer, TestServer];
    await pushDeal(first, 'PKG-1');
    expect(d365.tokenRequests).toBe(1);
    // Only the second process is left to send: it takes the token from Redis.
    await first.server.close();
    servers.shift();
    await pushDeal(second, 'PKG-2');
    await pushDeal(second, 'PKG-3');
    expect(d365.tokenRequests).toBe(1);
    const redis = new Redis(TEST_REDIS_URL);
    try {
      const keys = await redis.keys(`*d365:token:${tenant.tenantId}`);
      expect(keys).toHaveLength(1);
    } finally {
      redis.disconnect();
    }
  }, 120_000);
});
