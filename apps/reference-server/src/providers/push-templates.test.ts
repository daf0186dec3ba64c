/** Push lock-screen texts: only times and dates may be shown; the locale falls back to English. */
import { describe, expect, test } from 'vitest';
import { pushConfig } from './push.ts';
import { defaultPushTemplates, pushTemplatesSchema, renderPush } from './push-templates.ts';

describe('push templates', () => {
  test('a text naming the patient or an amount is refused when the configuration is read', () => {
    const named = {
      appointment_confirmation: { en: { title: 'Hi {{givenName}}', body: 'Booked' } },
    };
    expect(pushTemplatesSchema.safeParse(named).success).toBe(false);
    expect(() => pushConfig.parse({ PUSH_TEMPLATES: JSON.stringify(named) })).toThrow(
      /may only use \{\{startsAt\}\}/,
    );
    const amount = { payment_receipt: { en: { title: 'Paid', body: '{{amount}} {{currency}}' } } };
    expect(pushTemplatesSchema.safeParse(amount).success).toBe(false);
    const timed = {
      appointment_changed: { tr: { title: 'Randevu', body: 'Yeni saat: {{startsAt}}' } },
    };
    expect(pushTemplatesSchema.parse(timed)).toEqual(timed);
  });

  test('rendering fills allowed placeholders only, picks the language, then English', () => {
    const templates = {
      appointment_changed: {
        en: { title: 'Changed', body: 'Now at {{startsAt}}' },
        tr: { title: 'Değişti', body: 'Yeni saat {{ startsAt }}' },
      },
    };
    const variables = { startsAt: '2027-03-01T09:00:00Z', givenName: 'Ada' };
    expect(renderPush(templates, 'appointment_changed', 'tr-TR', variables)).toEqual({
      title: 'Değişti',
      body: 'Yeni saat 2027-03-01T09:00:00Z',
    });
    expect(renderPush(templates, 'appointment_changed', 'de', variables)?.body).toBe(
      'Now at 2027-03-01T09:00:00Z',
    );
    expect(renderPush(templates, 'visa_granted', 'en', variables)).toBeNull();
  });

  test('the built-in texts name nobody and cover the appointment and installment notifications', () => {
    expect(Object.keys(defaultPushTemplates).sort()).toEqual([
      'appointment_cancelled',
      'appointment_changed',
      'appointment_confirmation',
      'installment_reminder',
    ]);
    expect(pushTemplatesSchema.parse(defaultPushTemplates)).toEqual(defaultPushTemplates);
    expect(JSON.stringify(defaultPushTemplates)).not.toMatch(/\{\{/);
  });
});
