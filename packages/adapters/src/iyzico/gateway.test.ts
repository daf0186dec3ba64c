/** iyzico gateway: the shared conformance suite plus signing, request shape and 200-failure mapping. */
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { isProviderError } from '../core/errors.ts';
import { describePaymentGatewayConformance } from '../ports/__fixtures__/payment-gateway.case.ts';
import { FakeIyzico } from '../testing/iyzico.ts';
import { createIyzicoGateway, iyzicoAuthorization } from './index.ts';

const buyer = {
  id: 'pat_1',
  name: 'Ayse',
  surname: 'Yilmaz',
  identityNumber: '74300864791',
  email: 'ayse.yilmaz@example.com',
  registrationAddress: 'Maslak Mah. Buyukdere Cad. 1',
  city: 'Istanbul',
  country: 'Turkey',
  ip: '85.34.78.112',
};
const resolveBuyer = async () => buyer;
const fast = { policies: { retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 2 } } };
const returnUrl = 'https://clinic.test/payments/return';

describePaymentGatewayConformance({
  name: 'iyzico',
  method: 'card',
  currency: 'TRY',
  createIntentUrl: /sandbox-api\.iyzipay\.com\/payment\/iyzipos\/checkoutform\/initialize\//,
  intentExtras: { returnUrl },
  unknownPaymentCode: 'invalid_request',
  setup() {
    const iyzico = new FakeIyzico();
    return {
      gateway: createIyzicoGateway({
        apiKey: iyzico.apiKey,
        secretKey: iyzico.secretKey,
        resolveBuyer,
        ...fast,
      }),
      badCredentials: createIyzicoGateway({
        apiKey: iyzico.apiKey,
        secretKey: 'wrong-iyzico-secret',
        resolveBuyer,
        ...fast,
      }),
      handlers: iyzico.handlers(),
      paymentsCreated: () => iyzico.checkouts.size,
      requestCount: () => iyzico.requests.length,
      completePayment: async (intent) => iyzico.completeCheckout(intent.id),
      secrets: ['wrong-iyzico-secret', iyzico.secretKey],
    };
  },
});

describe('iyzico specifics', () => {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  test('signs requests as IYZWSv2 (HMAC-SHA256 of random key + path + body)', () => {
    const header = iyzicoAuthorization({
      apiKey: 'k',
      secretKey: 's',
      randomKey: '123',
      uriPath: '/payment/detail',
      body: '{"a":1}',
    });
    const decoded = Buffer.from(header.replace('IYZWSv2 ', ''), 'base64').toString();
    expect(decoded).toMatch(/^apiKey:k&randomKey:123&signature:[0-9a-f]{64}$/);
  });

  test('sends decimal prices, a generic basket line and only the mandatory buyer fields', async () => {
    const iyzico = new FakeIyzico();
    server.use(...iyzico.handlers());
    const gateway = createIyzicoGateway({
      apiKey: iyzico.apiKey,
      secretKey: iyzico.secretKey,
      resolveBuyer: async () => ({ ...buyer, gsmNumber: '+905551112233' }) as typeof buyer,
      ...fast,
    });
    const intent = await gateway.createIntent({
      reference: 'pay_i1',
      amountMinor: 125_050,
      currency: 'TRY',
      method: 'card',
      returnUrl,
    });
    expect(intent).toMatchObject({
      status: 'requires_action',
      redirectUrl: expect.stringContaining('token='),
    });
    const body = JSON.parse(iyzico.requests[0]!.body);
    expect(body).toMatchObject({
      price: '1250.50',
      paidPrice: '1250.50',
      currency: 'TRY',
      conversationId: 'pay_i1',
      callbackUrl: returnUrl,
    });
    expect(Object.keys(body.buyer).sort()).toEqual([
      'city',
      'country',
      'email',
      'id',
      'identityNumber',
      'ip',
      'name',
      'registrationAddress',
      'surname',
    ]);
    expect(body.basketItems).toEqual([
      {
        id: 'pay_i1',
        name: 'Healthcare services',
        category1: 'Health',
        itemType: 'VIRTUAL',
        price: '1250.50',
      },
    ]);
  });

  test('a bank decline (HTTP 200, status failure) is `rejected` with the code, without PII', async () => {
    const iyzico = new FakeIyzico();
    server.use(...iyzico.handlers());
    const gateway = createIyzicoGateway({
      apiKey: iyzico.apiKey,
      secretKey: iyzico.secretKey,
      resolveBuyer,
      ...fast,
    });
    const error = await gateway
      .createIntent({
        reference: 'pay_i2',
        amountMinor: 40_002,
        currency: 'TRY',
        method: 'card',
        returnUrl,
      })
      .catch((e: unknown) => e);
    expect(isProviderError(error) && error).toMatchObject({
      code: 'rejected',
      providerCode: '10051',
      status: 200,
    });
    expect(JSON.stringify(error)).not.toMatch(/74300864791|ayse|Yilmaz/);
  });

  test('a hosted checkout needs a return URL', async () => {
    const gateway = createIyzicoGateway({ apiKey: 'k', secretKey: 's', resolveBuyer, ...fast });
    const error = await gateway
      .createIntent({ reference: 'pay_i3', amountMinor: 100, currency: 'TRY', method: 'card' })
      .catch((e: unknown) => e);
    expect(isProviderError(error) && error).toMatchObject({
      code: 'invalid_request',
      fields: ['returnUrl'],
    });
  });
});
