/**
 * The conformance suite every `MessagingChannel` adapter must pass, run by
 * each channel's test against its fake provider.
 */
import type { RequestHandler } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { serverErrors } from '../../testing/failures.ts';
import type { ChannelKind, MessagingChannel, TemplatedMessage } from '../messaging.ts';
import { rejection } from './rejection.ts';

export interface ChannelHarness {
  name: string;
  channel: ChannelKind;
  /** A recipient address the fake accepts. */
  to: string;
  /** A configured template using the variable `time`. */
  template: string;
  sendUrl: string | RegExp;
  setup(): {
    channel: MessagingChannel;
    badCredentials: MessagingChannel;
    handlers: RequestHandler[];
    /** Messages the provider accepted. */
    sent(): number;
    /** Requests the provider received (raw bodies). */
    requests(): string[];
    secrets: string[];
  };
}

export function describeMessagingChannelConformance(harness: ChannelHarness): void {
  describe(`MessagingChannel conformance: ${harness.name}`, () => {
    const server = setupServer();
    beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
    afterEach(() => server.resetHandlers());
    afterAll(() => server.close());
    const start = () => {
      const env = harness.setup();
      server.use(...env.handlers);
      return env;
    };
    const message = (overrides: Partial<TemplatedMessage> = {}): TemplatedMessage => ({
      channel: harness.channel,
      to: harness.to,
      template: harness.template,
      locale: 'en',
      variables: { time: '09:30', diagnosis: 'never-sent-marker' },
      ...overrides,
    });

    test('sends once and returns the provider message id; undeclared variables stay home', async () => {
      const env = start();
      const result = await env.channel.send(message());
      expect(result).toMatchObject({ channel: harness.channel, provider: env.channel.provider });
      expect(result.providerMessageId.length).toBeGreaterThan(0);
      expect(env.sent()).toBe(1);
      expect(env.requests().join('\n')).not.toContain('never-sent-marker');
      expect(env.requests().join('\n')).toContain('09:30');
    });

    test('knows its templates', () => {
      const { channel } = start();
      expect(channel.channel).toBe(harness.channel);
      expect(channel.supports(harness.template)).toBe(true);
      expect(channel.supports('no_such_template')).toBe(false);
    });

    test('bad input is invalid_request before any provider call', async () => {
      const env = start();
      const wrongChannel = await rejection(
        env.channel.send(message({ channel: harness.channel === 'sms' ? 'email' : 'sms' })),
      );
      const unknown = await rejection(env.channel.send(message({ template: 'no_such_template' })));
      const missing = await rejection(env.channel.send(message({ variables: {} })));
      for (const error of [wrongChannel, unknown, missing])
        expect(error.code).toBe('invalid_request');
      expect(env.requests()).toHaveLength(0);
    });

    test('a 5xx after sending is not retried: at most one message', async () => {
      const env = start();
      const burst = serverErrors({ method: 'post', url: harness.sendUrl, times: 3 });
      server.use(burst.handler);
      const error = await rejection(env.channel.send(message()));
      expect(error.code).toBe('provider_unavailable');
      expect(burst.hits).toBe(1);
      expect(env.sent()).toBe(0);
    });

    test('the same idempotency key sends once, also when repeated concurrently', async () => {
      const env = start();
      const keyed = message({ idempotencyKey: 'apt_1:reminder' });
      const [first, concurrent] = await Promise.all([
        env.channel.send(keyed),
        env.channel.send(keyed),
      ]);
      const later = await env.channel.send(keyed);
      expect(env.sent()).toBe(1);
      expect(concurrent).toEqual(first);
      expect(later).toEqual(first);
      await env.channel.send(message({ idempotencyKey: 'apt_2:reminder' }));
      expect(env.sent()).toBe(2);
    });

    test('a failed send is not remembered: the same key may be sent again', async () => {
      const env = start();
      server.use(serverErrors({ method: 'post', url: harness.sendUrl, times: 1 }).handler);
      const keyed = message({ idempotencyKey: 'apt_3:reminder' });
      expect((await rejection(env.channel.send(keyed))).code).toBe('provider_unavailable');
      expect(env.sent()).toBe(0);
      const result = await env.channel.send(keyed);
      expect(result.providerMessageId.length).toBeGreaterThan(0);
      expect(env.sent()).toBe(1);
    });

    test('wrong credentials are auth_failed; the error carries no secret or recipient', async () => {
      const env = start();
      const error = await rejection(env.badCredentials.send(message()));
      expect(error.code).toBe('auth_failed');
      const text = JSON.stringify(error) + error.message + String(error.stack);
      for (const secret of [...env.secrets, harness.to]) expect(text).not.toContain(secret);
    });
  });
}
