/** Twilio SMS channel against the fake: rendering, request shape, error mapping without PII. */
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { isProviderError } from '../core/errors.ts';
import { describeMessagingChannelConformance } from '../ports/__fixtures__/messaging-channel.case.ts';
import { FakeTwilio, TWILIO_API } from '../testing/twilio.ts';
import { createTwilioSmsChannel } from './index.ts';

describeMessagingChannelConformance({
  name: 'twilio',
  channel: 'sms',
  to: '+905551112233',
  template: 'appointment_reminder',
  sendUrl: `${TWILIO_API}/2010-04-01/Accounts/:sid/Messages.json`,
  setup() {
    const fake = new FakeTwilio();
    const common = {
      accountSid: fake.accountSid,
      username: fake.accountSid,
      from: '+15005550006',
      templates: { appointment_reminder: { en: 'Visit at {{time}}.' } },
    };
    return {
      channel: createTwilioSmsChannel({ ...common, password: fake.authToken }),
      badCredentials: createTwilioSmsChannel({ ...common, password: 'twilio-wrong-token' }),
      handlers: fake.handlers(),
      sent: () => fake.sent.length,
      requests: () => fake.requests.map((r) => decodeURIComponent(r.body.replace(/\+/g, ' '))),
      secrets: ['twilio-wrong-token', fake.authToken],
    };
  },
});

describe('twilio specifics', () => {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  const setup = (password?: string) => {
    const fake = new FakeTwilio();
    server.use(...fake.handlers());
    const channel = createTwilioSmsChannel({
      accountSid: fake.accountSid,
      username: fake.accountSid,
      password: password ?? fake.authToken,
      messagingServiceSid: 'MG00000000000000000000000000000001',
      templates: {
        appointment_reminder: {
          en: 'Reminder: your visit at {{time}}.',
          tr: 'Hatırlatma: randevunuz {{time}}.',
        },
      },
    });
    return { fake, channel };
  };

  const sms = {
    channel: 'sms' as const,
    to: '+905551112233',
    template: 'appointment_reminder',
    locale: 'tr-TR',
    variables: { time: '09:30' },
  };

  test('renders the locale body and posts To, Body and MessagingServiceSid only', async () => {
    const { fake, channel } = setup();
    const result = await channel.send(sms);
    expect(result).toMatchObject({ channel: 'sms', provider: 'twilio', status: 'queued' });
    expect(result.providerMessageId).toMatch(/^SM/);
    const form = Object.fromEntries(new URLSearchParams(fake.requests[0]!.body));
    expect(form).toEqual({
      To: '+905551112233',
      Body: 'Hatırlatma: randevunuz 09:30.',
      MessagingServiceSid: 'MG00000000000000000000000000000001',
    });
  });

  test('maps Twilio errors and never repeats the number Twilio quotes', async () => {
    const bad = await setup('wrong-token')
      .channel.send(sms)
      .catch((e: unknown) => e);
    expect(isProviderError(bad) && bad).toMatchObject({
      code: 'auth_failed',
      providerCode: '20003',
      providerRequestId: 'RQfake',
    });

    const { fake, channel } = setup();
    fake.optedOut.add('+905551112233');
    const stopped = await channel.send(sms).catch((e: unknown) => e);
    expect(isProviderError(stopped) && stopped).toMatchObject({
      code: 'rejected',
      providerCode: '21610',
    });
    expect(JSON.stringify(stopped) + String((stopped as Error).message)).not.toContain(
      '5551112233',
    );

    const invalid = await channel.send({ ...sms, to: '+1' }).catch((e: unknown) => e);
    expect(isProviderError(invalid) && invalid.code).toBe('invalid_request');
  });

  test('requires a sender', () => {
    expect(() =>
      createTwilioSmsChannel({ accountSid: 'AC1', username: 'AC1', password: 'x', templates: {} }),
    ).toThrow(TypeError);
  });
});
