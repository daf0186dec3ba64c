/** SendGrid channel against the fake: request shape, error mapping, no retry of sends. */
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { isProviderError } from '../core/errors.ts';
import { describeMessagingChannelConformance } from '../ports/__fixtures__/messaging-channel.case.ts';
import { connectionErrors } from '../testing/failures.ts';
import { FakeSendGrid, SENDGRID_API } from '../testing/sendgrid.ts';
import { createSendGridEmailChannel } from './index.ts';

describeMessagingChannelConformance({
  name: 'sendgrid',
  channel: 'email',
  to: 'patient@example.com',
  template: 'appointment_reminder',
  sendUrl: `${SENDGRID_API}/v3/mail/send`,
  setup() {
    const fake = new FakeSendGrid();
    const common = {
      from: { email: 'care@clinic.test' },
      templates: {
        appointment_reminder: { templateIds: { en: 'd-reminder' }, variables: ['time'] },
      },
    };
    return {
      channel: createSendGridEmailChannel({ ...common, apiKey: fake.apiKey }),
      badCredentials: createSendGridEmailChannel({ ...common, apiKey: 'SG.revoked-key' }),
      handlers: fake.handlers(),
      sent: () => fake.sent.length,
      requests: () => fake.requests.map((r) => r.body),
      secrets: ['SG.revoked-key', fake.apiKey],
    };
  },
});

describe('sendgrid specifics', () => {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  const setup = (apiKey?: string, templateId = 'd-0123456789abcdef') => {
    const fake = new FakeSendGrid();
    server.use(...fake.handlers());
    const channel = createSendGridEmailChannel({
      apiKey: apiKey ?? fake.apiKey,
      from: { email: 'care@clinic.test', name: 'Clinic care team' },
      templates: { appointment_reminder: { templateIds: { en: templateId }, variables: ['time'] } },
      policies: { retry: { baseDelayMs: 1, maxDelayMs: 2 } },
    });
    return { fake, channel };
  };

  const email = {
    channel: 'email' as const,
    to: 'patient@example.com',
    template: 'appointment_reminder',
    locale: 'en-GB',
    variables: { time: '09:30', insurer: 'not declared, not sent' },
  };

  test('sends the dynamic template with declared variables and returns X-Message-Id', async () => {
    const { fake, channel } = setup();
    const result = await channel.send(email);
    expect(result).toEqual({
      channel: 'email',
      provider: 'sendgrid',
      providerMessageId: 'sg-msg-1',
      status: 'accepted',
    });
    expect(JSON.parse(fake.requests[0]!.body)).toEqual({
      personalizations: [
        {
          to: [{ email: 'patient@example.com' }],
          dynamic_template_data: { time: '09:30', locale: 'en-GB' },
        },
      ],
      from: { email: 'care@clinic.test', name: 'Clinic care team' },
      template_id: 'd-0123456789abcdef',
    });
  });

  test('maps SendGrid errors', async () => {
    const auth = await setup('SG.revoked')
      .channel.send(email)
      .catch((e: unknown) => e);
    expect(isProviderError(auth) && auth.code).toBe('auth_failed');
    const bad = await setup(undefined, 'not-a-template')
      .channel.send(email)
      .catch((e: unknown) => e);
    expect(isProviderError(bad) && bad).toMatchObject({
      code: 'invalid_request',
      providerCode: 'template_id',
    });
  });

  test('a connection error on a send is not retried', async () => {
    const { fake, channel } = setup();
    const failure = connectionErrors({ method: 'post', url: `${SENDGRID_API}/v3/mail/send` });
    server.use(failure.handler);
    const error = await channel.send(email).catch((e: unknown) => e);
    expect(isProviderError(error) && error.code).toBe('provider_unavailable');
    expect(failure.hits).toBe(1);
    expect(fake.sent).toHaveLength(0);
  });
});
