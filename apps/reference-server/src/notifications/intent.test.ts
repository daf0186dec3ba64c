/**
 * The send intent's shape and the worker's back-off: an intent carries only
 * the address its queue needs (a strict schema refuses anything more, such
 * as a birth date or the other address), and the wait between attempts
 * doubles up to its cap.
 */
import { describe, expect, test } from 'vitest';
import { NotificationIntentSchema } from './intent.ts';
import { notificationQueueConfig } from './queue-config.ts';
import { retryDelayMs } from './worker.ts';

const sms = {
  v: 1,
  intentId: 'ntf_0123456789abcdef0123456789abcdef',
  tenantId: 'ten_1',
  eventId: 'evt_1',
  subjectRef: 'pat_1',
  template: 'appointment_confirmation',
  locale: 'tr',
  variables: { givenName: 'Ayşe', startsAt: '2027-01-04T09:00:00.000Z' },
  createdAt: '2026-12-07T09:00:00.000Z',
  queue: 'sms_notifications',
  to: { phone: '+905551112233' },
};

describe('notification intents', () => {
  test('version 1 carries the address of its queue and nothing more', () => {
    expect(NotificationIntentSchema.parse(sms)).toEqual(sms);
    expect(NotificationIntentSchema.safeParse({ ...sms, birthDate: '1980-02-29' }).success).toBe(
      false,
    );
    expect(
      NotificationIntentSchema.safeParse({
        ...sms,
        to: { phone: '+905551112233', email: 'a@example.com' },
      }).success,
    ).toBe(false);
    expect(
      NotificationIntentSchema.safeParse({ ...sms, queue: 'email_notifications' }).success,
    ).toBe(false);
    expect(NotificationIntentSchema.safeParse({ ...sms, v: 2 }).success).toBe(false);
  });

  test('the wait between attempts doubles from the configured delay up to its cap', () => {
    const config = notificationQueueConfig.parse({
      NOTIFICATIONS_WORKER_RETRY_DELAY: '10s',
      NOTIFICATIONS_WORKER_RETRY_MAX_DELAY: '1m',
    });
    expect([1, 2, 3, 4, 5, 60].map((attempt) => retryDelayMs(config, attempt))).toEqual([
      10_000, 20_000, 40_000, 60_000, 60_000, 60_000,
    ]);
  });
});
