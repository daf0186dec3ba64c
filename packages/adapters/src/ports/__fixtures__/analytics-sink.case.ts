/**
 * The conformance suite every `AnalyticsSink` must pass, run by each sink's
 * test against its fake collector: acknowledged delivery, deduplicated
 * redelivery, retried transient failures, typed auth failures.
 */
import type { RequestHandler } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { serverErrors } from '../../testing/failures.ts';
import { type AnalyticsEvent, type AnalyticsSink, trackEvent } from '../analytics.ts';
import { rejection } from './rejection.ts';

export interface AnalyticsHarness {
  name: string;
  batchUrl: string | RegExp;
  setup(): {
    sink: AnalyticsSink;
    badCredentials: AnalyticsSink;
    handlers: RequestHandler[];
    /** Distinct events the collector holds. */
    received(): Array<Record<string, unknown>>;
    secrets: string[];
  };
}

const TENANT_KEY = 'tenant-key-0123456789abcdef';

/**
 * A pseudonymous test event.
 *
 * @example
 * const event = sampleEvent(1);
 */
export const sampleEvent = (n: number, properties: Record<string, unknown> = {}): AnalyticsEvent =>
  trackEvent({
    tenantKey: TENANT_KEY,
    userId: `pat_${n}`,
    event: 'Quote Accepted',
    messageId: `evt_${n}`,
    at: new Date('2026-12-02T10:00:00Z'),
    properties: { packageKind: 'dental', ...properties },
    allowed: ['packageKind', 'email'],
  });

export function describeAnalyticsSinkConformance(harness: AnalyticsHarness): void {
  describe(`AnalyticsSink conformance: ${harness.name}`, () => {
    const server = setupServer();
    beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
    afterEach(() => server.resetHandlers());
    afterAll(() => server.close());
    const start = () => {
      const env = harness.setup();
      server.use(...env.handlers);
      return env;
    };

    test('a batch is acknowledged and arrives pseudonymous, without PII', async () => {
      const env = start();
      const ack = await env.sink.sendBatch([
        sampleEvent(1, { email: 'a@example.com' }),
        sampleEvent(2),
      ]);
      expect(ack).toEqual({ accepted: 2, dropped: [] });
      expect(env.received()).toHaveLength(2);
      const text = JSON.stringify(env.received());
      expect(text).not.toContain('pat_1');
      expect(text).not.toContain('a@example.com');
    });

    test('sending the same events again does not count them twice', async () => {
      const env = start();
      await env.sink.sendBatch([sampleEvent(1)]);
      await env.sink.sendBatch([sampleEvent(1), sampleEvent(2)]);
      expect(env.received()).toHaveLength(2);
    });

    test('a 5xx burst is retried until acknowledged', async () => {
      const env = start();
      const burst = serverErrors({ method: 'post', url: harness.batchUrl, times: 2 });
      server.use(burst.handler);
      expect((await env.sink.sendBatch([sampleEvent(1)])).accepted).toBe(1);
      expect(burst.hits).toBe(2);
      expect(env.received()).toHaveLength(1);
    });

    test('a raw user id is invalid_request before any call', async () => {
      const env = start();
      const raw = { ...sampleEvent(1), userId: 'pat_1' };
      expect((await rejection(env.sink.sendBatch([raw]))).code).toBe('invalid_request');
      expect(env.received()).toHaveLength(0);
    });

    test('wrong credentials are auth_failed without the secret', async () => {
      const env = start();
      const error = await rejection(env.badCredentials.sendBatch([sampleEvent(1)]));
      expect(error.code).toBe('auth_failed');
      const text = JSON.stringify(error) + error.message;
      for (const secret of env.secrets) expect(text).not.toContain(secret);
    });
  });
}
