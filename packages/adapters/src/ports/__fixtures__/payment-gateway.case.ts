/**
 * The conformance suite every `PaymentGateway` adapter must pass, run by each
 * adapter's test against its fake provider.
 */
import type { RequestHandler } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { isProviderError, type ProviderErrorCode } from '../../core/errors.ts';
import { serverErrors } from '../../testing/failures.ts';
import type {
  CreatePaymentInput,
  PaymentGateway,
  PaymentIntent,
  PaymentMethod,
} from '../payment.ts';
import { rejection } from './rejection.ts';

export interface GatewayHarness {
  name: string;
  method: PaymentMethod;
  currency: string;
  /** A fresh fake provider and a gateway pointed at it. */
  setup(): {
    gateway: PaymentGateway;
    /** The same gateway with wrong credentials. */
    badCredentials: PaymentGateway;
    handlers: RequestHandler[];
    /** Payments (orders, intents, checkouts) the provider has created. */
    paymentsCreated(): number;
    /** Requests the provider has received. */
    requestCount(): number;
    /** Plays the payer's part (checkout page, app) and returns the id to capture. */
    completePayment(intent: PaymentIntent): Promise<string>;
    secrets: string[];
  };
  createIntentUrl: RegExp;
  /** Extra input the provider needs (a return URL for hosted pages). */
  intentExtras?: Partial<CreatePaymentInput>;
  /** What an unknown payment id maps to; providers without a not-found signal say invalid_request. */
  unknownPaymentCode?: ProviderErrorCode;
}

export function describePaymentGatewayConformance(harness: GatewayHarness): void {
  describe(`PaymentGateway conformance: ${harness.name}`, () => {
    const server = setupServer();
    let env: ReturnType<GatewayHarness['setup']>;
    beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
    afterEach(() => server.resetHandlers());
    afterAll(() => server.close());
    const start = () => {
      env = harness.setup();
      server.use(...env.handlers);
      return env;
    };
    const intentInput = (reference: string, amountMinor = 125_000) => ({
      reference,
      amountMinor,
      currency: harness.currency,
      method: harness.method,
      ...harness.intentExtras,
    });

    test('authorise, capture in full, read status, refund', async () => {
      const { gateway, completePayment } = start();
      const intent = await gateway.createIntent(intentInput('pay_conf1'));
      expect(intent).toMatchObject({
        provider: gateway.provider,
        amountMinor: 125_000,
        currency: harness.currency,
      });
      const paymentId = await completePayment(intent);
      const captured = await gateway.capture({
        paymentId,
        amountMinor: 125_000,
        currency: harness.currency,
      });
      expect(captured.status).toBe('captured');
      expect((await gateway.status({ paymentId })).status).toBe('captured');
      const refund = await gateway.refund({
        paymentId,
        amountMinor: 125_000,
        currency: harness.currency,
      });
      expect(refund).toMatchObject({ paymentId, amountMinor: 125_000, currency: harness.currency });
      expect(['succeeded', 'pending']).toContain(refund.status);
    });

    test('settlement report lists the captured charge', async () => {
      const { gateway, completePayment } = start();
      const intent = await gateway.createIntent(intentInput('pay_conf2', 50_000));
      const paymentId = await completePayment(intent);
      await gateway.capture({ paymentId, amountMinor: 50_000, currency: harness.currency });
      const day = 86_400_000;
      const report = await gateway.settlementReport({
        from: new Date(Date.now() - day).toISOString(),
        to: new Date(Date.now() + day).toISOString(),
      });
      const charge = report.lines.find((line) => line.type === 'charge');
      expect(charge).toMatchObject({ grossMinor: 50_000, currency: harness.currency });
      expect(charge!.netMinor).toBe(charge!.grossMinor - charge!.feeMinor);
    });

    test('unknown payment is a definite error', async () => {
      const { gateway } = start();
      const error = await rejection(
        gateway.capture({
          paymentId: 'pay_missing_1',
          amountMinor: 100,
          currency: harness.currency,
        }),
      );
      expect(error.code).toBe(harness.unknownPaymentCode ?? 'not_found');
    });

    test('invalid input is invalid_request before any provider call', async () => {
      const { gateway, requestCount } = start();
      const error = await rejection(
        gateway.createIntent({ ...intentInput('pay_conf3'), amountMinor: 0 }),
      );
      expect(error.code).toBe('invalid_request');
      expect(error.fields).toContain('amountMinor');
      expect(requestCount()).toBe(0);
    });

    test('the same idempotency key twice creates one payment', async () => {
      const { gateway, paymentsCreated } = start();
      const first = await gateway.createIntent({
        ...intentInput('pay_conf4'),
        idempotencyKey: 'pay_conf4:create',
      });
      const second = await gateway.createIntent({
        ...intentInput('pay_conf4'),
        idempotencyKey: 'pay_conf4:create',
      });
      expect(second.id).toBe(first.id);
      expect(paymentsCreated()).toBe(1);
    });

    test('a 5xx burst never creates two payments', async () => {
      const { gateway, paymentsCreated } = start();
      server.use(serverErrors({ method: 'post', url: harness.createIntentUrl, times: 2 }).handler);
      const outcome = await gateway.createIntent(intentInput('pay_conf5')).then(
        (intent) => intent,
        (e: unknown) => e,
      );
      expect(paymentsCreated()).toBeLessThanOrEqual(1);
      if (isProviderError(outcome)) expect(outcome.code).toBe('provider_unavailable');
      else expect(paymentsCreated()).toBe(1);
    });

    test('wrong credentials are auth_failed and the error carries no secret', async () => {
      const { badCredentials, secrets } = start();
      const error = await rejection(badCredentials.createIntent(intentInput('pay_conf6')));
      expect(error.code).toBe('auth_failed');
      const text = JSON.stringify(error) + error.message + String(error.stack);
      for (const secret of secrets) expect(text).not.toContain(secret);
    });
  });
}
