/**
 * The conformance suite every `SubscriptionBilling` adapter must pass, run
 * by each adapter's test against its fake processor.
 */
import type { RequestHandler } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { isProviderError } from '../../core/errors.ts';
import type { SubscriptionBilling } from '../subscriptions.ts';

export interface SubscriptionHarness {
  name: string;
  /** A fresh fake processor and billing pointed at it. */
  setup(): {
    billing: SubscriptionBilling;
    badCredentials: SubscriptionBilling;
    handlers: RequestHandler[];
    /** Subscriptions the processor holds. */
    subscriptionsCreated(): number;
    customerRef: string;
    plans: [string, string];
  };
}

export function describeSubscriptionBillingConformance(harness: SubscriptionHarness): void {
  describe(`SubscriptionBilling conformance: ${harness.name}`, () => {
    const server = setupServer();
    beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
    afterEach(() => server.resetHandlers());
    afterAll(() => server.close());
    const start = () => {
      const env = harness.setup();
      server.use(...env.handlers);
      return env;
    };

    test('create, change plan, cancel at period end, cancel now', async () => {
      const { billing, customerRef, plans } = start();
      const created = await billing.create({
        reference: 'sub_conf1',
        customerRef,
        planId: plans[0],
        idempotencyKey: 'subscription:sub_conf1',
      });
      expect(created).toMatchObject({
        provider: billing.provider,
        planId: plans[0],
        cancelAtPeriodEnd: false,
      });
      expect(['pending', 'active']).toContain(created.status);
      const changed = await billing.changePlan({ subscriptionId: created.id, planId: plans[1] });
      expect(changed).toMatchObject({ id: created.id, planId: plans[1] });
      const ending = await billing.cancel({ subscriptionId: created.id, atPeriodEnd: true });
      expect(ending).toMatchObject({ id: created.id, cancelAtPeriodEnd: true });
      expect(ending.status).not.toBe('cancelled');
      const ended = await billing.cancel({ subscriptionId: created.id, atPeriodEnd: false });
      expect(ended).toMatchObject({ id: created.id, status: 'cancelled' });
    });

    test('one idempotency key creates one subscription', async () => {
      const env = start();
      const input = {
        reference: 'sub_conf2',
        customerRef: env.customerRef,
        planId: env.plans[0],
        idempotencyKey: 'subscription:sub_conf2',
      };
      const [a, b] = [await env.billing.create(input), await env.billing.create(input)];
      expect(b.id).toBe(a.id);
      expect(env.subscriptionsCreated()).toBe(1);
    });

    test('bad input is refused before the processor is called', async () => {
      const env = start();
      const error = await env.billing
        .create({ reference: 'not a reference', customerRef: env.customerRef, planId: 'x' })
        .catch((e: unknown) => e);
      expect(isProviderError(error) && error.code).toBe('invalid_request');
      expect(env.subscriptionsCreated()).toBe(0);
    });

    test('an unknown subscription and wrong credentials are typed errors', async () => {
      const env = start();
      const missing = await env.billing
        .cancel({ subscriptionId: 'sub_missing000', atPeriodEnd: false })
        .catch((e: unknown) => e);
      expect(isProviderError(missing)).toBe(true);
      const denied = await env.badCredentials
        .create({ reference: 'sub_conf3', customerRef: env.customerRef, planId: env.plans[0] })
        .catch((e: unknown) => e);
      expect(isProviderError(denied) && denied.code).toBe('auth_failed');
      expect(env.subscriptionsCreated()).toBe(0);
    });
  });
}
