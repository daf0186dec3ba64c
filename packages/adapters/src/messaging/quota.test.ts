/** The composer's per-sender daily quota: fallback past the cap, UTC day boundary, remaining gauge. */
import { describe, expect, test } from 'vitest';
import { ProviderError } from '../core/errors.ts';
import { InMemoryManualTaskSink } from '../core/manual-tasks.ts';
import type { ChannelKind, MessagingChannel } from '../ports/messaging.ts';
import { createMessagingComposer, InMemoryQuotaStore, nextUtcDay, utcDay } from './index.ts';

function stubChannel(channel: ChannelKind, provider: string) {
  const sent: string[] = [];
  const stub: MessagingChannel & { sent: string[] } = {
    channel,
    provider,
    encrypted: true,
    sent,
    supports: () => true,
    send: async (message) => {
      sent.push(message.template);
      return {
        channel,
        provider,
        providerMessageId: `${provider}-${sent.length}`,
        status: 'accepted',
      };
    },
  };
  return stub;
}

function setup(perSenderPerDay: number | undefined, start = '2026-12-02T23:58:00Z') {
  let now = new Date(start);
  const whatsapp = stubChannel('whatsapp', 'meta');
  const sms = stubChannel('sms', 'twilio');
  const composer = createMessagingComposer({
    channels: [whatsapp, sms],
    consent: { check: async () => 'granted' },
    sink: new InMemoryManualTaskSink(),
    now: () => now,
    ...(perSenderPerDay !== undefined
      ? { quota: { perSenderPerDay, store: new InMemoryQuotaStore() } }
      : {}),
  });
  const advance = (ms: number) => {
    now = new Date(now.getTime() + ms);
  };
  return { composer, whatsapp, sms, advance };
}

const reminder = {
  subjectRef: 'pat_1',
  purpose: 'transactional' as const,
  template: 'appointment_reminder',
  locale: 'en',
  variables: { time: '09:30' },
  containsClinicalDetail: false,
  recipient: { phone: '+905551112233' },
};

describe('sender quota', () => {
  test('past the quota the channel is skipped and the next one sends', async () => {
    const { composer, whatsapp, sms } = setup(2);
    await composer.send(reminder);
    await composer.send(reminder);
    expect(await composer.remainingQuota()).toEqual({ 'whatsapp:meta': 0, 'sms:twilio': 2 });
    const third = await composer.send(reminder);
    expect(third).toMatchObject({ status: 'sent', channel: 'sms' });
    expect(third.attempts).toEqual([
      { channel: 'whatsapp', outcome: 'skipped_quota_exhausted', redacted: false },
      { channel: 'sms', outcome: 'sent', redacted: false },
    ]);
    expect(whatsapp.sent).toHaveLength(2);
    expect(sms.sent).toHaveLength(1);
    expect(await composer.remainingQuota()).toEqual({ 'whatsapp:meta': 0, 'sms:twilio': 1 });
  });

  test('the count starts again at the UTC day boundary', async () => {
    const { composer, advance } = setup(1);
    expect((await composer.send(reminder)).status).toBe('sent');
    expect(await composer.send(reminder)).toMatchObject({ channel: 'sms' });
    advance(2 * 60_000); // 2026-12-03T00:00Z
    expect(await composer.remainingQuota()).toEqual({ 'whatsapp:meta': 1, 'sms:twilio': 1 });
    expect(await composer.send(reminder)).toMatchObject({ channel: 'whatsapp' });
  });

  test('every sender exhausted → not_sent, no provider call', async () => {
    const { composer, whatsapp, sms } = setup(0);
    const result = await composer.send(reminder);
    expect(result).toMatchObject({ status: 'not_sent', reason: 'no_permitted_channel' });
    expect(whatsapp.sent.length + sms.sent.length).toBe(0);
  });

  test('without a quota nothing is capped and the gauge is empty', async () => {
    const { composer, whatsapp } = setup(undefined);
    for (let i = 0; i < 5; i += 1) await composer.send(reminder);
    expect(whatsapp.sent).toHaveLength(5);
    expect(await composer.remainingQuota()).toEqual({});
  });

  test("whenExhausted 'defer' answers deferred to the next UTC day instead of falling back", async () => {
    const whatsapp = stubChannel('whatsapp', 'meta');
    const sms = stubChannel('sms', 'twilio');
    const composer = createMessagingComposer({
      channels: [whatsapp, sms],
      consent: { check: async () => 'granted' },
      sink: new InMemoryManualTaskSink(),
      now: () => new Date('2026-12-02T15:00:00Z'),
      quota: { perSenderPerDay: 1, whenExhausted: 'defer' },
    });
    expect(await composer.send(reminder)).toMatchObject({ status: 'sent', channel: 'whatsapp' });
    expect(await composer.send(reminder)).toMatchObject({
      status: 'deferred',
      reason: 'quota_exhausted',
      channel: 'whatsapp',
      retryAt: '2026-12-03T00:00:00.000Z',
    });
    expect(sms.sent).toHaveLength(0);
  });

  test('a deferred send is not kept under its idempotency key: the next day it sends', async () => {
    let now = new Date('2026-12-02T15:00:00Z');
    const whatsapp = stubChannel('whatsapp', 'meta');
    const store = new InMemoryQuotaStore();
    store.increment('whatsapp:meta', '2026-12-02');
    const composer = createMessagingComposer({
      channels: [whatsapp],
      consent: { check: async () => 'granted' },
      sink: new InMemoryManualTaskSink(),
      now: () => now,
      quota: { perSenderPerDay: 1, whenExhausted: 'defer', store },
    });
    const keyed = { ...reminder, idempotencyKey: 'ntf_1' };
    expect(await composer.send(keyed)).toMatchObject({ status: 'deferred' });
    now = new Date('2026-12-03T00:00:00Z');
    expect(await composer.send(keyed)).toMatchObject({ status: 'sent', channel: 'whatsapp' });
    expect(await composer.send(keyed)).toMatchObject({ status: 'sent' });
    expect(whatsapp.sent).toHaveLength(1);
  });

  test('a cap per sender leaves the others uncapped; a failed send gives its unit back', async () => {
    const whatsapp = stubChannel('whatsapp', 'meta');
    const sms = stubChannel('sms', 'twilio');
    let fail = true;
    const flaky: MessagingChannel = {
      ...whatsapp,
      send: async (message) => {
        if (fail) {
          fail = false;
          throw new ProviderError({
            code: 'rejected',
            provider: 'meta',
            operation: 'messages.send',
          });
        }
        return whatsapp.send(message);
      },
    };
    const store = new InMemoryQuotaStore();
    const composer = createMessagingComposer({
      channels: [flaky, sms],
      consent: { check: async () => 'granted' },
      sink: new InMemoryManualTaskSink(),
      now: () => new Date('2026-12-02T15:00:00Z'),
      quota: {
        perSenderPerDay: (sender) => (sender.startsWith('whatsapp:') ? 1 : undefined),
        store,
      },
    });
    expect(await composer.send(reminder)).toMatchObject({ status: 'sent', channel: 'sms' });
    expect(store.used('whatsapp:meta', '2026-12-02')).toBe(0);
    expect(await composer.remainingQuota()).toEqual({ 'whatsapp:meta': 1 });
    expect(await composer.send(reminder)).toMatchObject({ channel: 'whatsapp' });
    expect(await composer.send(reminder)).toMatchObject({ channel: 'sms' });
    expect(await composer.remainingQuota()).toEqual({ 'whatsapp:meta': 0 });
  });

  test('nextUtcDay is the following midnight UTC', () => {
    expect(nextUtcDay(new Date('2026-12-31T23:59:59Z')).toISOString()).toBe(
      '2027-01-01T00:00:00.000Z',
    );
  });

  test('utcDay ignores the local time zone', () => {
    expect(utcDay(new Date('2026-12-02T23:59:59.999Z'))).toBe('2026-12-02');
    expect(utcDay(new Date('2026-12-03T01:00:00+03:00'))).toBe('2026-12-02');
  });
});
