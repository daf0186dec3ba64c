/** The composer over the three fake channels: fallback order, consent, clinical detail, idempotency. */
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { InMemoryManualTaskSink } from '../core/manual-tasks.ts';
import type { LogFields } from '../core/observability.ts';
import { createSendGridEmailChannel } from '../sendgrid/index.ts';
import { serverErrors } from '../testing/failures.ts';
import { FakeSendGrid, SENDGRID_API } from '../testing/sendgrid.ts';
import { FakeTwilio, TWILIO_API } from '../testing/twilio.ts';
import { FakeWhatsApp, WHATSAPP_API } from '../testing/whatsapp.ts';
import { createTwilioSmsChannel } from '../twilio/index.ts';
import { createWhatsAppChannel } from '../whatsapp/index.ts';
import { type ConsentChecker, createMessagingComposer } from './index.ts';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function setup(options: { denied?: Record<string, 'opted_out' | 'no_consent'> } = {}) {
  const wa = new FakeWhatsApp();
  const twilio = new FakeTwilio();
  const sendgrid = new FakeSendGrid();
  server.use(...wa.handlers(), ...twilio.handlers(), ...sendgrid.handlers());
  const logs: Array<[string, LogFields]> = [];
  const logger = { warn: (message: string, fields: LogFields) => logs.push([message, fields]) };
  const common = { logger, policies: { retry: { baseDelayMs: 1, maxDelayMs: 2 } } };
  const channels = [
    createWhatsAppChannel({
      ...common,
      accessToken: wa.accessToken,
      phoneNumberId: wa.phoneNumberId,
      templates: {
        lab_result_ready: { name: 'lab_result_ready_v1', body: ['test'] },
        new_message: { name: 'new_message_v1', body: [] },
        appointment_reminder: { name: 'appointment_reminder_v2', body: ['time'] },
      },
    }),
    createTwilioSmsChannel({
      ...common,
      accountSid: twilio.accountSid,
      username: twilio.accountSid,
      password: twilio.authToken,
      from: '+15005550006',
      templates: {
        lab_result_ready: { en: 'Your {{test}} result is ready.' },
        new_message: { en: 'You have a new message from your clinic. Open the app to read it.' },
        appointment_reminder: { en: 'Visit at {{time}}.' },
      },
    }),
    createSendGridEmailChannel({
      ...common,
      apiKey: sendgrid.apiKey,
      from: { email: 'care@clinic.test' },
      templates: {
        new_message: { templateIds: { en: 'd-newmessage' }, variables: [] },
        appointment_reminder: { templateIds: { en: 'd-reminder' }, variables: ['time'] },
      },
    }),
  ];
  const consent: ConsentChecker = {
    check: async ({ channel }) => options.denied?.[channel] ?? 'granted',
  };
  const sink = new InMemoryManualTaskSink();
  const composer = createMessagingComposer({ channels, consent, sink });
  return { wa, twilio, sendgrid, composer, sink, logs };
}

const patient = {
  whatsapp: '+905551112233',
  phone: '+905551112233',
  email: 'ayse.yilmaz@example.com',
};

const reminder = {
  subjectRef: 'pat_1',
  purpose: 'transactional' as const,
  template: 'appointment_reminder',
  locale: 'en',
  variables: { time: '09:30' },
  containsClinicalDetail: false,
  recipient: patient,
};

const labResult = {
  subjectRef: 'pat_1',
  purpose: 'transactional' as const,
  template: 'lab_result_ready',
  locale: 'en',
  variables: { test: 'HIV viral load' },
  containsClinicalDetail: true,
  recipient: patient,
};

describe('fallback order', () => {
  test('WhatsApp first when it works', async () => {
    const { composer, wa, twilio } = setup();
    const result = await composer.send(reminder);
    expect(result).toMatchObject({ status: 'sent', channel: 'whatsapp', redacted: false });
    expect(wa.sent).toHaveLength(1);
    expect(twilio.sent).toHaveLength(0);
  });

  test('WhatsApp fails → SMS', async () => {
    const { composer, wa, twilio } = setup();
    wa.unreachable.add('905551112233');
    const result = await composer.send(reminder);
    expect(result).toMatchObject({ status: 'sent', channel: 'sms' });
    expect(result.attempts).toEqual([
      { channel: 'whatsapp', outcome: 'failed', redacted: false, errorCode: 'rejected' },
      { channel: 'sms', outcome: 'sent', redacted: false },
    ]);
    expect(twilio.sent).toHaveLength(1);
  });

  test('WhatsApp and SMS down → email', async () => {
    const { composer, sendgrid } = setup();
    server.use(
      serverErrors({ method: 'post', url: `${WHATSAPP_API}/:v/:id/messages`, times: 10 }).handler,
      serverErrors({
        method: 'post',
        url: `${TWILIO_API}/2010-04-01/Accounts/:sid/Messages.json`,
        times: 10,
      }).handler,
    );
    const result = await composer.send(reminder);
    expect(result).toMatchObject({ status: 'sent', channel: 'email' });
    expect(sendgrid.sent).toHaveLength(1);
  });

  test('every channel down → a manual task, not a failure', async () => {
    const { composer, sink, logs } = setup();
    server.use(
      serverErrors({ method: 'post', url: `${WHATSAPP_API}/:v/:id/messages`, times: 10 }).handler,
      serverErrors({
        method: 'post',
        url: `${TWILIO_API}/2010-04-01/Accounts/:sid/Messages.json`,
        times: 10,
      }).handler,
      serverErrors({ method: 'post', url: `${SENDGRID_API}/v3/mail/send`, times: 10 }).handler,
    );
    const result = await composer.send(reminder);
    expect(result.status).toBe('manual');
    expect(sink.tasks).toHaveLength(1);
    expect(sink.tasks[0]).toMatchObject({
      kind: 'messaging',
      subjectRef: 'pat_1',
      operation: 'messages.send',
      reason: 'whatsapp:provider_unavailable,sms:provider_unavailable,email:provider_unavailable',
    });
    const everything = JSON.stringify(sink.tasks) + JSON.stringify(logs);
    for (const pii of ['905551112233', 'ayse.yilmaz@example.com', '09:30'])
      expect(everything).not.toContain(pii);
  });
});

describe('consent and opt-out', () => {
  test('an opted-out channel is skipped without a provider call', async () => {
    const { composer, wa, twilio } = setup({ denied: { whatsapp: 'opted_out' } });
    const result = await composer.send(reminder);
    expect(result).toMatchObject({ status: 'sent', channel: 'sms' });
    expect(result.attempts[0]).toEqual({ channel: 'whatsapp', outcome: 'skipped_opted_out' });
    expect(wa.requests).toHaveLength(0);
    expect(twilio.sent).toHaveLength(1);
  });

  test('no permitted channel → not_sent, no manual task', async () => {
    const { composer, sink } = setup({
      denied: { whatsapp: 'no_consent', sms: 'opted_out', email: 'opted_out' },
    });
    const result = await composer.send({ ...reminder, purpose: 'marketing' });
    expect(result).toMatchObject({ status: 'not_sent', reason: 'no_permitted_channel' });
    expect(sink.tasks).toHaveLength(0);
  });
});

describe('clinical detail', () => {
  test('never goes to SMS or plain email; the redacted version does', async () => {
    const { composer, wa, twilio, sendgrid } = setup();
    wa.unreachable.add('905551112233');
    const result = await composer.send({
      ...labResult,
      redacted: { template: 'new_message', variables: {} },
    });
    expect(result).toMatchObject({ status: 'sent', channel: 'sms', redacted: true });
    expect(twilio.sent[0]?.Body).toBe(
      'You have a new message from your clinic. Open the app to read it.',
    );
    const unencrypted = JSON.stringify(twilio.requests) + JSON.stringify(sendgrid.requests);
    expect(unencrypted).not.toContain('HIV');
  });

  test('without a redacted version unencrypted channels are skipped', async () => {
    const { composer, wa, twilio, sendgrid } = setup();
    wa.unreachable.add('905551112233');
    const result = await composer.send(labResult);
    expect(result.status).toBe('manual');
    expect(result.attempts.map((a) => a.outcome)).toEqual([
      'failed',
      'skipped_unencrypted',
      'skipped_unencrypted',
    ]);
    expect(twilio.requests).toHaveLength(0);
    expect(sendgrid.requests).toHaveLength(0);
  });

  test('clinical detail does go to WhatsApp (encrypted)', async () => {
    const { composer, wa } = setup();
    const result = await composer.send(labResult);
    expect(result).toMatchObject({ status: 'sent', channel: 'whatsapp', redacted: false });
    expect(JSON.stringify(wa.sent[0]?.body)).toContain('HIV viral load');
  });
});

test('the same idempotency key sends once, also when repeated concurrently', async () => {
  const { composer, wa } = setup();
  const message = { ...reminder, idempotencyKey: 'apt_1:reminder:24h' };
  const [a, b] = await Promise.all([composer.send(message), composer.send(message)]);
  const c = await composer.send(message);
  expect(wa.sent).toHaveLength(1);
  expect(b).toEqual(a);
  expect(c).toEqual(a);
});

test('invalid input is a typed error', async () => {
  const { composer } = setup();
  await expect(composer.send({ ...reminder, subjectRef: 'Ayşe Yılmaz' })).rejects.toMatchObject({
    name: 'ProviderError',
    code: 'invalid_request',
    fields: ['subjectRef'],
  });
});
