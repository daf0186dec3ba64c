/**
 * The USHAŞ adapter over real HTTP against the fake catalogue served on
 * 127.0.0.1: conformance, the breaker, credentials, wire details and error mapping.
 */
import { describe, expect, test } from 'vitest';
import { describeCatalogueSourceConformance } from '../ports/__fixtures__/catalogue-source.case.ts';
import { rejection } from '../ports/__fixtures__/rejection.ts';
import { serveFakeProvider } from '../testing/serve.ts';
import { FakeUshas, USHAS_API } from '../testing/ushas.ts';
import { createUshasCatalogueSource, mapUshasError } from './index.ts';

const fast = { retry: { baseDelayMs: 1, maxDelayMs: 2 }, breaker: { consecutiveFailures: 3 } };

async function served(apiKey?: string) {
  const fake = new FakeUshas();
  const server = await serveFakeProvider(USHAS_API, fake.handlers());
  const source = createUshasCatalogueSource({
    apiKey: apiKey ?? fake.apiKey,
    baseUrl: server.url,
    policies: fast,
  });
  return { fake, server, source };
}

describeCatalogueSourceConformance({
  name: 'ushas over HTTP',
  async setup() {
    const { fake, server, source } = await served();
    return {
      source,
      seed: (catalogue) => fake.setCatalogue(catalogue),
      addMalformedProvider: (sourceId) =>
        fake.addRaw('providers', { id: sourceId, type: 'DOCTOR', status: 'ACTIVE' }),
      failNext: (times) => fake.failNext(times),
      calls: () => fake.requests.length,
      close: () => server.close(),
    };
  },
});

describe('ushas specifics', () => {
  test('an outage opens the breaker: later calls are refused locally as circuit_open', async () => {
    const { fake, server, source } = await served();
    try {
      fake.failNext(1_000);
      await rejection(source.version());
      const before = fake.requests.length;
      const refused = await rejection(source.listPackages({}));
      expect(refused.circuitOpen).toBe(true);
      expect(refused.transient).toBe(true);
      expect(fake.requests.length).toBe(before);
    } finally {
      await server.close();
    }
  });

  test('a wrong key is auth_failed without retries; the page request goes as page_size and cursor', async () => {
    const wrong = await served('wrong');
    try {
      expect((await rejection(wrong.source.version())).code).toBe('auth_failed');
      expect(wrong.fake.requests).toHaveLength(1);
    } finally {
      await wrong.server.close();
    }
    const { fake, server, source } = await served();
    try {
      fake.setCatalogue({ providers: [], packages: [] });
      await source.listProviders({ limit: 7, cursor: 'bzow' });
      expect(fake.requests.at(-1)).toBe('GET /api/v2/providers?page_size=7&cursor=bzow');
    } finally {
      await server.close();
    }
  });

  test('a price with more decimals than its currency is a rejection of that package', async () => {
    const { fake, server, source } = await served();
    try {
      fake.addRaw('packages', {
        code: 'ODD',
        title: { en: 'Odd price' },
        duration_minutes: 30,
        prices: [{ facility_id: 'USH-F-1', currency: 'EUR', amount: '10.005' }],
        status: 'ACTIVE',
      });
      const page = await source.listPackages({});
      expect(page.items).toEqual([]);
      expect(page.rejected).toEqual([{ sourceId: 'ODD', fields: ['prices.0.amount'] }]);
    } finally {
      await server.close();
    }
  });

  test('maps USHAŞ errors', () => {
    const reply = (status: number, code?: string) => ({
      status,
      body: code ? { error: { code, message: 'x' } } : {},
      headers: new Headers(),
    });
    expect(mapUshasError(reply(400, 'INVALID_CURSOR'))).toEqual({
      code: 'invalid_request',
      providerCode: 'INVALID_CURSOR',
    });
    expect(mapUshasError(reply(503))).toEqual({ providerCode: 'http_503' });
    expect(mapUshasError(reply(401, 'UNAUTHORIZED'))).toEqual({ providerCode: 'UNAUTHORIZED' });
    expect(mapUshasError(reply(200))).toBeUndefined();
  });
});
