/** WhatsApp channel against the fake: template body, Meta error codes, retry rules for sends. */
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { isProviderError } from '../core/errors.ts';
import { describeMessagingChannelConformance } from '../ports/__fixtures__/messaging-channel.case.ts';
import { rateLimited, serverErrors } from '../testing/failures.ts';
import { FakeWhatsApp, WHATSAPP_API } from '../testing/whatsapp.ts';
import { createWhatsAppChannel } from './index.ts';

describeMessagingChannelConformance({
  name: 'whatsapp',
  channel: 'whatsapp',
  to: '+905551112233',
  template: 'appointment_reminder',
  sendUrl: `${WHATSAPP_API}/:version/:id/messages`,
  setup() {
    const fake = new FakeWhatsApp();
    const templates = { appointment_reminder: { name: 'appointment_reminder_v2', body: ['time'] } };
    return {
      channel: createWhatsAppChannel({
        accessToken: fake.accessToken,
        phoneNumberId: fake.phoneNumberId,
        templates,
      }),
      badCredentials: createWhatsAppChannel({
        accessToken: 'EAAG-revoked-token',
        phoneNumberId: fake.phoneNumberId,
        templates,
      }),
      handlers: fake.handlers(),
      sent: () => fake.sent.length,
      requests: () => fake.requests.map((r) => r.body),
      secrets: ['EAAG-revoked-token', fake.accessToken],
    };
  },
});

describe('whatsapp specifics', () => {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  const setup = (token?: string) => {
    const fake = new FakeWhatsApp();
    server.use(...fake.handlers());
    const channel = createWhatsAppChannel({
      accessToken: token ?? fake.accessToken,
      phoneNumberId: fake.phoneNumberId,
      templates: {
        appointment_reminder: {
          name: 'appointment_reminder_v2',
          body: ['clinic', 'time'],
          languages: { en: 'en_US' },
        },
        unapproved: { name: 'not_approved_yet', body: [] },
      },
      policies: { retry: { baseDelayMs: 1, maxDelayMs: 2 } },
    });
    return { fake, channel };
  };

  const reminder = {
    channel: 'whatsapp' as const,
    to: '+905551112233',
    template: 'appointment_reminder',
    locale: 'en',
    variables: { clinic: 'Acıbadem Maslak', time: '09:30', diagnosis: 'must never be sent' },
  };

  test('sends the approved template with positional body parameters, nothing else', async () => {
    const { fake, channel } = setup();
    const result = await channel.send(reminder);
    expect(result).toMatchObject({ channel: 'whatsapp', provider: 'whatsapp', status: 'accepted' });
    expect(result.providerMessageId).toMatch(/^wamid\./);
    expect(fake.requests[0]!.path).toBe(`/v21.0/${fake.phoneNumberId}/messages`);
    expect(JSON.parse(fake.requests[0]!.body)).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '905551112233',
      type: 'template',
      template: {
        name: 'appointment_reminder_v2',
        language: { code: 'en_US' },
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'Acıbadem Maslak' },
              { type: 'text', text: '09:30' },
            ],
          },
        ],
      },
    });
    expect(fake.requests[0]!.body).not.toContain('must never be sent');
  });

  test('maps Meta error codes: expired token, unapproved template, undeliverable number', async () => {
    const expired = await setup('EAAG-expired')
      .channel.send(reminder)
      .catch((e: unknown) => e);
    expect(isProviderError(expired) && expired).toMatchObject({
      code: 'auth_failed',
      providerCode: '190/463',
    });

    const { fake, channel } = setup();
    const unapproved = await channel
      .send({ ...reminder, template: 'unapproved', variables: {} })
      .catch((e: unknown) => e);
    expect(isProviderError(unapproved) && unapproved).toMatchObject({
      code: 'not_found',
      providerCode: '132001',
    });

    fake.unreachable.add('905551112233');
    const undeliverable = await channel.send(reminder).catch((e: unknown) => e);
    expect(isProviderError(undeliverable) && undeliverable).toMatchObject({
      code: 'rejected',
      providerCode: '131026',
    });
    expect(JSON.stringify(undeliverable)).not.toContain('905551112233');
  });

  test('a missing variable is invalid_request and nothing is sent', async () => {
    const { fake, channel } = setup();
    const error = await channel
      .send({ ...reminder, variables: { clinic: 'X' } })
      .catch((e: unknown) => e);
    expect(isProviderError(error) && error).toMatchObject({
      code: 'invalid_request',
      fields: ['variables.time'],
    });
    expect(fake.requests).toHaveLength(0);
  });

  test('a 5xx after the request may have been processed is not retried (no double send)', async () => {
    const { fake, channel } = setup();
    const burst = serverErrors({
      method: 'post',
      url: `${WHATSAPP_API}/:v/:id/messages`,
      times: 1,
      status: 500,
    });
    server.use(burst.handler);
    const error = await channel.send(reminder).catch((e: unknown) => e);
    expect(isProviderError(error) && error.code).toBe('provider_unavailable');
    expect(burst.hits).toBe(1);
    expect(fake.sent).toHaveLength(0);
  });

  test('a 429 is retried after Retry-After and sends once', async () => {
    const { fake, channel } = setup();
    const limited = rateLimited({
      method: 'post',
      url: `${WHATSAPP_API}/:v/:id/messages`,
      retryAfterSeconds: 0,
      body: { error: { code: 130429, type: 'OAuthException', message: 'Rate limit hit' } },
    });
    server.use(limited.handler);
    await channel.send(reminder);
    expect(limited.hits).toBe(1);
    expect(fake.sent).toHaveLength(1);
  });
});
