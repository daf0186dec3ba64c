/**
 * The EasyPost adapter: the `Shipping` conformance suite against the fake
 * in process (MSW) and served over real HTTP on 127.0.0.1, then its wire
 * shape (units, Basic auth), webhook signature and error mapping.
 */
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { InMemoryManualTaskSink } from '../core/manual-tasks.ts';
import { describeShippingConformance } from '../ports/__fixtures__/shipping.case.ts';
import { EASYPOST_API, FakeEasyPost } from '../testing/easypost.ts';
import { type ServedFakeProvider, serveFakeProvider } from '../testing/serve.ts';
import {
  createEasyPostShipping,
  easyPostState,
  easyPostWebhookSignature,
  mapEasyPostError,
} from './index.ts';

const fast = { retry: { baseDelayMs: 1, maxDelayMs: 2 }, breaker: { consecutiveFailures: 3 } };

const build = (fake: FakeEasyPost, baseUrl?: string) => {
  const sink = new InMemoryManualTaskSink();
  const shipping = createEasyPostShipping({
    apiKey: fake.apiKey,
    webhookSecret: fake.webhookSecret,
    sink,
    policies: fast,
    ...(baseUrl ? { baseUrl } : {}),
  });
  return { shipping, sink };
};

const harnessOf = (fake: FakeEasyPost, shipping: ReturnType<typeof build>) => ({
  shipping: shipping.shipping,
  sink: shipping.sink,
  advance: (id: string) => {
    fake.advance(id);
  },
  webhook: (id: string, secret?: string) => fake.event(id, secret),
  purchases: () => fake.purchases,
  requests: () => fake.requests,
  outage: () => fake.outage(),
});

describeShippingConformance({
  name: 'easypost (in process)',
  apiUrl: `${EASYPOST_API}/v2/*`,
  setup() {
    const fake = new FakeEasyPost();
    return { ...harnessOf(fake, build(fake)), handlers: fake.handlers() };
  },
});

// The same suite with one fake served on 127.0.0.1: every call crosses real HTTP.
const shared = new FakeEasyPost();
let served: ServedFakeProvider | undefined;
beforeAll(async () => {
  served = await serveFakeProvider(EASYPOST_API, shared.handlers());
});
afterAll(() => served?.close());

describeShippingConformance({
  name: 'easypost (over HTTP on 127.0.0.1)',
  apiUrl: /^http:\/\/127\.0\.0\.1:\d+\/v2\//,
  setup() {
    shared.reset();
    return { ...harnessOf(shared, build(shared, served?.url)), handlers: [] };
  },
});

describe('easypost specifics', () => {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledFrame: 'bypass' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  const from = {
    name: 'Clinic pharmacy',
    street1: 'Halaskargazi Cd. 1',
    city: 'Istanbul',
    zip: '34371',
    country: 'TR',
  };
  const to = {
    name: 'A. Patient',
    street1: '1 High Street',
    city: 'London',
    zip: 'N1 1AA',
    country: 'GB',
  };

  test('the parcel goes in inches and ounces (rounded up), with Basic auth and the reference only', async () => {
    const fake = new FakeEasyPost();
    server.use(...fake.handlers());
    const quote = await build(fake).shipping.rates({
      shipmentRef: 'shp_9',
      from,
      to,
      parcel: { lengthMm: 254, widthMm: 100, heightMm: 10, weightGrams: 1000 },
    });
    expect(quote.rates.map((r) => [r.carrier, r.amountMinor, r.currency])).toEqual([
      ['USPS', 758, 'USD'],
      ['UPS', 1240, 'USD'],
    ]);
    const body = fake.shipments.get(quote.quoteId)?.body;
    expect(body).toMatchObject({
      reference: 'shp_9',
      parcel: { length: 10, width: 4, height: 0.4, weight: 35.3 },
      to_address: { country: 'GB', zip: 'N1 1AA' },
    });
    expect(Object.keys(body ?? {}).sort()).toEqual([
      'from_address',
      'parcel',
      'reference',
      'to_address',
    ]);
  });

  test('a wrong API key is auth_failed and not retried', async () => {
    const fake = new FakeEasyPost();
    server.use(...fake.handlers());
    const sink = new InMemoryManualTaskSink();
    const shipping = createEasyPostShipping({ apiKey: 'EZTK-wrong', sink, policies: fast });
    await expect(shipping.track({ trackerId: 'trk_1' })).rejects.toMatchObject({
      code: 'auth_failed',
    });
    expect(fake.requests).toHaveLength(1);
  });

  test('signature, states and error mapping follow EasyPost', () => {
    // openssl dgst -sha256 -hmac secret over the same bytes.
    expect(easyPostWebhookSignature('{"a":1}', 'secret')).toBe(
      'hmac-sha256-hex=aa9e2e3575f5d7098b6caccd790888c36d5fdb63342a73bada2d6a51747a8494',
    );
    expect(easyPostState('return_to_sender')).toBe('return_to_sender');
    expect(easyPostState('something_new')).toBe('unknown');
    expect(
      mapEasyPostError({
        status: 422,
        body: { error: { code: 'SHIPMENT.POSTAGE.EXISTS' } },
        headers: new Headers(),
      }),
    ).toEqual({ code: 'conflict', providerCode: 'SHIPMENT.POSTAGE.EXISTS' });
    expect(
      mapEasyPostError({
        status: 422,
        body: { error: { code: 'SHIPMENT.INVALID_PARAMS' } },
        headers: new Headers(),
      }),
    ).toEqual({ code: 'invalid_request', providerCode: 'SHIPMENT.INVALID_PARAMS' });
    expect(mapEasyPostError({ status: 503, body: {}, headers: new Headers() })).toEqual({
      providerCode: 'http_503',
    });
  });

  test('an event that is not about tracking is ignored', () => {
    const fake = new FakeEasyPost();
    const body = JSON.stringify({
      id: 'evt_1',
      object: 'Event',
      description: 'batch.updated',
      result: {},
    });
    const headers = new Headers({
      'x-hmac-signature': easyPostWebhookSignature(body, fake.webhookSecret),
    });
    expect(build(fake).shipping.parseWebhook({ rawBody: body, headers })).toBeUndefined();
  });
});
