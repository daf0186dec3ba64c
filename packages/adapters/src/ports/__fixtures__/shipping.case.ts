/**
 * The conformance suite every `Shipping` adapter must pass, run by each
 * adapter's test against its fake provider: rates in minor units, a
 * purchase with label and tracker (idempotent on the platform's
 * reference), tracking by poll, signed tracking webhooks (a forged or
 * unsigned one refused), validation before any call, retries of a 5xx
 * burst, and the manual task once the provider is down and the breaker open.
 */
import type { RequestHandler } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { InMemoryManualTaskSink } from '../../core/manual-tasks.ts';
import { serverErrors } from '../../testing/failures.ts';
import type { RateRequest, Shipping } from '../shipping.ts';
import { rejection } from './rejection.ts';

export interface ShippingHarness {
  name: string;
  /** Where injected 5xx answers are served (the adapter's base URL pattern). */
  apiUrl: string | RegExp;
  setup(): {
    shipping: Shipping;
    /** In-process handlers (none when the fake is served over HTTP). */
    handlers: RequestHandler[];
    sink: InMemoryManualTaskSink;
    /** Moves a tracker to its next status at the provider. */
    advance(trackerId: string): void;
    /** A signed tracking webhook for a tracker; `secret` overrides the signing secret. */
    webhook(trackerId: string, secret?: string): { body: string; headers: Record<string, string> };
    purchases(): number;
    requests(): string[];
    /** The provider answers 503 to everything. */
    outage(): void;
  };
}

export function describeShippingConformance(harness: ShippingHarness): void {
  describe(`Shipping conformance: ${harness.name}`, () => {
    const server = setupServer();
    beforeAll(() => server.listen({ onUnhandledFrame: 'bypass' }));
    afterEach(() => server.resetHandlers());
    afterAll(() => server.close());
    const start = () => {
      const env = harness.setup();
      server.use(...env.handlers);
      return env;
    };
    const request = (overrides: Partial<RateRequest> = {}): RateRequest => ({
      shipmentRef: 'shp_1',
      from: {
        name: 'Clinic pharmacy',
        street1: 'Halaskargazi Cd. 1',
        city: 'Istanbul',
        zip: '34371',
        country: 'TR',
      },
      to: {
        name: 'A. Patient',
        street1: '1 High Street',
        city: 'London',
        zip: 'N1 1AA',
        country: 'GB',
      },
      parcel: { lengthMm: 300, widthMm: 200, heightMm: 50, weightGrams: 500 },
      ...overrides,
    });
    const buy = async (shipping: Shipping, ref = 'shp_1') => {
      const quote = await shipping.rates(request({ shipmentRef: ref }));
      const rate = quote.rates[0];
      if (!rate) throw new Error('expected a rate');
      const result = await shipping.createShipment({
        shipmentRef: ref,
        quoteId: quote.quoteId,
        rateId: rate.rateId,
      });
      if (result.status !== 'created') throw new Error('expected a purchase');
      return { quote, rate, result };
    };

    test('rates come in integer minor units with carrier and service', async () => {
      const env = start();
      const quote = await env.shipping.rates(request());
      expect(quote.quoteId).toEqual(expect.any(String));
      expect(quote.rates.length).toBeGreaterThan(0);
      for (const rate of quote.rates) {
        expect(Number.isSafeInteger(rate.amountMinor)).toBe(true);
        expect(rate.currency).toMatch(/^[A-Z]{3}$/);
        expect(rate.carrier).not.toBe('');
      }
    });

    test('a purchase gives a label, a tracking code and a tracker; buying again is the same shipment', async () => {
      const env = start();
      const { quote, rate, result } = await buy(env.shipping);
      expect(result).toMatchObject({
        status: 'created',
        labelUrl: expect.stringMatching(/^https:\/\//),
        trackingCode: expect.any(String),
        trackerId: expect.any(String),
        amountMinor: rate.amountMinor,
        state: 'pre_transit',
      });
      const again = await env.shipping.createShipment({
        shipmentRef: 'shp_1',
        quoteId: quote.quoteId,
        rateId: rate.rateId,
      });
      expect(again).toEqual(result);
      expect(env.purchases()).toBe(1);
    });

    test('tracking by poll follows the carrier', async () => {
      const env = start();
      const { result } = await buy(env.shipping);
      expect((await env.shipping.track({ trackerId: result.trackerId })).state).toBe('pre_transit');
      env.advance(result.trackerId);
      const status = await env.shipping.track({ trackerId: result.trackerId });
      expect(status).toMatchObject({
        trackerId: result.trackerId,
        state: 'in_transit',
        trackingCode: result.trackingCode,
      });
    });

    test('a signed tracking webhook is read; a forged or unsigned one is auth_failed', async () => {
      const env = start();
      const { result } = await buy(env.shipping);
      env.advance(result.trackerId);
      const signed = env.webhook(result.trackerId);
      const status = env.shipping.parseWebhook({
        rawBody: signed.body,
        headers: new Headers(signed.headers),
      });
      expect(status).toMatchObject({ trackerId: result.trackerId, state: 'in_transit' });
      const forged = env.webhook(result.trackerId, 'not-the-secret');
      expect(() =>
        env.shipping.parseWebhook({ rawBody: forged.body, headers: new Headers(forged.headers) }),
      ).toThrow(expect.objectContaining({ code: 'auth_failed' }));
      const tampered = signed.body.replace('in_transit', 'delivered');
      expect(() =>
        env.shipping.parseWebhook({ rawBody: tampered, headers: new Headers(signed.headers) }),
      ).toThrow(expect.objectContaining({ code: 'auth_failed' }));
      expect(() =>
        env.shipping.parseWebhook({ rawBody: signed.body, headers: new Headers() }),
      ).toThrow(expect.objectContaining({ code: 'auth_failed' }));
    });

    test('unknown trackers are not_found', async () => {
      const env = start();
      expect((await rejection(env.shipping.track({ trackerId: 'trk_unknown' }))).code).toBe(
        'not_found',
      );
    });

    test('invalid input is invalid_request before any call, naming fields, never values', async () => {
      const env = start();
      const withContents = { ...request(), contents: 'insulin pens' } as RateRequest;
      const error = await rejection(env.shipping.rates(withContents));
      expect(error.code).toBe('invalid_request');
      expect(error.message).not.toContain('insulin');
      const badCountry = await rejection(
        env.shipping.rates(request({ to: { ...request().to, country: 'England' } })),
      );
      expect(badCountry.fields).toEqual(['to.country']);
      expect(env.requests()).toHaveLength(0);
    });

    test('a 5xx burst is retried into one purchase', async () => {
      const env = start();
      const quote = await env.shipping.rates(request());
      server.use(serverErrors({ method: 'post', url: harness.apiUrl, times: 2 }).handler);
      const result = await env.shipping.createShipment({
        shipmentRef: 'shp_1',
        quoteId: quote.quoteId,
        rateId: quote.rates[0]?.rateId ?? '',
      });
      expect(result.status).toBe('created');
      expect(env.purchases()).toBe(1);
    });

    test('a provider that stays down leaves a manual task; once the breaker is open no call is made', async () => {
      const env = start();
      const quote = await env.shipping.rates(request());
      env.outage();
      const input = {
        shipmentRef: 'shp_1',
        quoteId: quote.quoteId,
        rateId: quote.rates[0]?.rateId ?? '',
      };
      expect((await env.shipping.createShipment(input)).status).toBe('manual');
      const before = env.requests().length;
      const again = await env.shipping.createShipment({ ...input, shipmentRef: 'shp_2' });
      expect(again.status).toBe('manual');
      expect(env.requests().length).toBe(before);
      expect(env.sink.tasks.at(-1)).toMatchObject({
        kind: 'shipping',
        reason: 'circuit_open',
        subjectRef: 'shp_2',
        operation: 'shipping.createShipment',
      });
      expect(JSON.stringify(env.sink.tasks)).not.toContain('High Street');
    });
  });
}
