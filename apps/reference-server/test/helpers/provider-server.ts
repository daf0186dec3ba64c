/**
 * A started test server in front of providers' fakes, the set-up the
 * gateway, claims, visa and health-id tests share: each fake served on 127.0.0.1
 * with the server's environment pointing at it, the event features
 * configured with the inbound secrets the providers sign their webhooks
 * with, and, with `partner`, a receiver on 127.0.0.1 allowed as a delivery
 * target and subscribed as the first tenant's `/partner` endpoint.
 */
import {
  type FakeIyzico,
  type FakeRazorpay,
  type FakeStripe,
  IYZICO_API,
  RAZORPAY_API,
  type ServedFakeProvider,
  STRIPE_API,
  serveFakeProvider,
} from '@clinicbridge/adapters/testing';
import { deliveryConfig } from '../../src/delivery/config.ts';
import type { Feature } from '../../src/feature.ts';
import { inboundConfig } from '../../src/inbound/config.ts';
import type { Receiver } from '../delivery/receiver.ts';
import { eventFeatures } from './features.ts';
import { startTestServer, type TestServer, tenantClient } from './http-server.ts';

/** A provider fake to serve: its API's origin, its handlers, and the server's environment for its URL. */
export interface FakeToServe {
  readonly origin: string;
  /** Passed as is: a test may change the array later (an outage in front of the fake). */
  readonly handlers: Parameters<typeof serveFakeProvider>[1];
  env(url: string): Record<string, string>;
}

/**
 * Stripe's fake, with the server's key and API URL.
 *
 * @example
 * const stripe = new FakeStripe();
 * await startProviderServer({ fakes: [stripeFake(stripe)], features: [moneyFeature] });
 */
export function stripeFake(stripe: FakeStripe): FakeToServe {
  return {
    origin: STRIPE_API,
    handlers: stripe.handlers(),
    env: (url) => ({ STRIPE_SECRET_KEY: stripe.secretKey, STRIPE_API_URL: url }),
  };
}

/**
 * Razorpay's fake, with the server's key pair and API URL.
 *
 * @example
 * await startProviderServer({ fakes: [razorpayFake(new FakeRazorpay())], features });
 */
export function razorpayFake(razorpay: FakeRazorpay): FakeToServe {
  return {
    origin: RAZORPAY_API,
    handlers: razorpay.handlers(),
    env: (url) => ({
      RAZORPAY_KEY_ID: razorpay.keyId,
      RAZORPAY_KEY_SECRET: razorpay.keySecret,
      RAZORPAY_API_URL: url,
    }),
  };
}

/**
 * iyzico's fake, with the server's keys and API URL.
 *
 * @example
 * await startProviderServer({ fakes: [iyzicoFake(new FakeIyzico())], features });
 */
export function iyzicoFake(iyzico: FakeIyzico): FakeToServe {
  return {
    origin: IYZICO_API,
    handlers: iyzico.handlers(),
    env: (url) => ({
      IYZICO_API_KEY: iyzico.apiKey,
      IYZICO_SECRET_KEY: iyzico.secretKey,
      IYZICO_API_URL: url,
    }),
  };
}

/** What {@link startProviderServer} starts. */
export interface ProviderServerOptions {
  /** Features beyond the API resources and the event features. */
  readonly features: readonly Feature[];
  readonly fakes?: readonly FakeToServe[];
  /** `INBOUND_*` variables: the secrets the providers sign their webhooks with. */
  readonly inbound?: Record<`INBOUND_${string}`, string>;
  /** A receiver to allow as a delivery target and subscribe as `/partner` to these event types. */
  readonly partner?: { readonly receiver: Receiver; readonly eventTypes: readonly string[] };
  /** `WEBHOOK_*` settings of the delivery feature (an allowlist here replaces the partner's). */
  readonly delivery?: Record<`WEBHOOK_${string}`, string>;
  readonly env?: Record<string, string>;
  readonly tenantCount?: number;
  /** The server's clock (default the real one). */
  readonly now?: () => Date;
}

/** A started server and the fakes it calls; `close` stops both (a partner receiver stays the caller's). */
export interface ProviderTestServer extends TestServer {
  close(): Promise<void>;
}

/**
 * Serves the fakes, then starts the server with them and the event features.
 *
 * @example
 * const receiver = await startReceiver();
 * const running = await startProviderServer({
 *   fakes: [stripeFake(stripe)],
 *   inbound: { INBOUND_PAYMENTS_SECRET: 'whsec_…' },
 *   partner: { receiver, eventTypes: ['*'] },
 *   features: [moneyFeature, checkoutFeature],
 *   env: { WEBHOOK_POLL_INTERVAL: '50ms' },
 * });
 * await running.close();
 */
export async function startProviderServer(
  options: ProviderServerOptions,
): Promise<ProviderTestServer> {
  const served: ServedFakeProvider[] = [];
  const closeFakes = async () => {
    for (const fake of served) await fake.close();
  };
  let running: TestServer;
  try {
    const fakeEnv: Record<string, string> = {};
    for (const fake of options.fakes ?? []) {
      const one = await serveFakeProvider(fake.origin, fake.handlers);
      served.push(one);
      Object.assign(fakeEnv, fake.env(one.url));
    }
    const receiverHost = options.partner ? new URL(options.partner.receiver.url).host : undefined;
    const config = {
      ...deliveryConfig.parse({
        ...(receiverHost ? { WEBHOOK_TARGET_ALLOWLIST: receiverHost } : {}),
        ...options.delivery,
      }),
      ...inboundConfig.parse(options.inbound ?? {}),
    };
    running = await startTestServer({
      features: [...eventFeatures(config), ...options.features],
      env: { ...fakeEnv, ...options.env },
      ...(options.tenantCount === undefined ? {} : { tenantCount: options.tenantCount }),
      ...(options.now ? { now: options.now } : {}),
    });
  } catch (error) {
    await closeFakes();
    throw error;
  }
  const close = async () => {
    await running.server.close();
    await closeFakes();
  };
  if (options.partner) {
    const { receiver, eventTypes } = options.partner;
    try {
      const endpoint = await tenantClient(() => running).api<{ secret: string }>(
        'POST',
        '/api/v1/webhook-endpoints',
        { url: `${receiver.url}/partner`, eventTypes },
      );
      receiver.secrets.set('/partner', [endpoint.secret]);
    } catch (error) {
      await close();
      throw error;
    }
  }
  return { ...running, close };
}
