/**
 * The conformance suite every `PushChannel` adapter must pass, run by each
 * adapter's test against its fake provider.
 */
import type { RequestHandler } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { InMemoryManualTaskSink } from '../../core/manual-tasks.ts';
import { serverErrors } from '../../testing/failures.ts';
import type { PushChannel, PushMessage } from '../push.ts';
import { rejection } from './rejection.ts';

export interface PushHarness {
  name: string;
  sendUrl: string | RegExp;
  setup(): Promise<{
    push: PushChannel;
    handlers: RequestHandler[];
    sink: InMemoryManualTaskSink;
    /** Makes the provider forget a device token. */
    unregister(deviceToken: string): void;
    sent(): number;
    requests(): string[];
  }>;
}

export function describePushChannelConformance(harness: PushHarness): void {
  describe(`PushChannel conformance: ${harness.name}`, () => {
    const server = setupServer();
    beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
    afterEach(() => server.resetHandlers());
    afterAll(() => server.close());
    const start = async () => {
      const env = await harness.setup();
      server.use(...env.handlers);
      return env;
    };
    const message = (overrides: Partial<PushMessage> = {}): PushMessage => ({
      subjectRef: 'pat_1',
      deviceToken: 'device-token-0001',
      title: 'Your clinic',
      body: 'You have a new message',
      data: { threadRef: 'thr_1' },
      ...overrides,
    });

    test('sends and returns the provider message id', async () => {
      const env = await start();
      const result = await env.push.send(message());
      expect(result.status).toBe('sent');
      expect(result.status === 'sent' && result.providerMessageId.length).toBeGreaterThan(0);
      expect(env.sent()).toBe(1);
    });

    test('an unregistered device token is reported, not thrown', async () => {
      const env = await start();
      env.unregister('device-token-gone');
      expect(await env.push.send(message({ deviceToken: 'device-token-gone' }))).toEqual({
        status: 'invalid_token',
      });
      expect(env.sink.tasks).toHaveLength(0);
    });

    test('non-reference data is invalid_request before any call', async () => {
      const env = await start();
      const error = await rejection(env.push.send(message({ data: { note: 'HbA1c 9.1%' } })));
      expect(error.code).toBe('invalid_request');
      expect(env.requests()).toHaveLength(0);
    });

    test('a 5xx on a send is not retried; repeated outages open the circuit into manual tasks', async () => {
      const env = await start();
      const outage = serverErrors({ method: 'post', url: harness.sendUrl, times: 1000 });
      server.use(outage.handler);
      expect((await env.push.send(message())).status).toBe('manual');
      expect(outage.hits).toBe(1);
      await env.push.send(message());
      await env.push.send(message());
      const before = env.requests().length;
      expect((await env.push.send(message())).status).toBe('manual');
      expect(env.requests().length).toBe(before);
      expect(env.sink.tasks.at(-1)).toMatchObject({
        kind: 'push',
        reason: 'circuit_open',
        subjectRef: 'pat_1',
      });
      expect(JSON.stringify(env.sink.tasks)).not.toContain('device-token-0001');
    });
  });
}
