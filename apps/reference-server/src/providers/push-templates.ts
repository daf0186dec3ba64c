/**
 * Lock-screen texts of push notifications. A push shows on a locked
 * screen anyone near the phone can read, so a text says that something
 * happened and to open the app, nothing more: no name, no clinical detail,
 * no amount. Operators may replace the texts (`PUSH_TEMPLATES`, template →
 * locale → `{ title, body }`), and a text may only use the placeholders in
 * {@link PUSH_VARIABLES} (times and dates); anything else is refused when
 * the configuration is read. Notifications without a push text (visa
 * decisions, payments, travel) are not pushed.
 */
import * as z from 'zod';

/**
 * The only template variables a push text may show.
 *
 * @example
 * PUSH_VARIABLES.includes('givenName'); // false
 */
export const PUSH_VARIABLES = ['startsAt', 'endsAt', 'dueDate'] as const;

const placeholder = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

function onlyPushVariables(text: string): boolean {
  for (const match of text.matchAll(placeholder))
    if (!(PUSH_VARIABLES as readonly string[]).includes(match[1] ?? '')) return false;
  return true;
}

const pushText = z.strictObject({
  title: z
    .string()
    .min(1)
    .max(100)
    .refine(onlyPushVariables, `may only use {{${PUSH_VARIABLES.join('}}, {{')}}}`),
  body: z
    .string()
    .min(1)
    .max(200)
    .refine(onlyPushVariables, `may only use {{${PUSH_VARIABLES.join('}}, {{')}}}`),
});

/**
 * `PUSH_TEMPLATES`: template → locale → lock-screen text.
 *
 * @example
 * pushTemplatesSchema.parse({ appointment_confirmation: { tr: { title: 'Randevu', body: 'Randevunuz oluşturuldu.' } } });
 */
export const pushTemplatesSchema = z.record(
  z.string().min(1).max(100),
  z.record(z.string().min(2).max(35), pushText),
);

/**
 * The push texts by template and locale.
 *
 * @example
 * const templates: PushTemplates = defaultPushTemplates;
 */
export type PushTemplates = z.infer<typeof pushTemplatesSchema>;

/**
 * English texts for the notifications worth a push: the appointment ones and installment reminders.
 *
 * @example
 * defaultPushTemplates.appointment_confirmation?.en?.title; // 'Appointment booked'
 */
export const defaultPushTemplates: PushTemplates = {
  appointment_confirmation: {
    en: {
      title: 'Appointment booked',
      body: 'Your appointment is booked. Open the app for the details.',
    },
  },
  appointment_changed: {
    en: {
      title: 'Appointment changed',
      body: 'Your appointment changed. Open the app for the new time.',
    },
  },
  appointment_cancelled: {
    en: {
      title: 'Appointment cancelled',
      body: 'An appointment was cancelled. Open the app for the details.',
    },
  },
  installment_reminder: {
    en: {
      title: 'Payment reminder',
      body: 'An installment is due soon. Open the app for the details.',
    },
  },
};

/**
 * The lock-screen text of `template` in `locale` (its language, then English),
 * placeholders filled from {@link PUSH_VARIABLES} only; null when the template has none.
 *
 * @example
 * renderPush(defaultPushTemplates, 'appointment_confirmation', 'tr', {}); // { title: 'Appointment booked', body: '…' }
 */
export function renderPush(
  templates: PushTemplates,
  template: string,
  locale: string,
  variables: Readonly<Record<string, string>>,
): { title: string; body: string } | null {
  const texts = templates[template];
  if (!texts) return null;
  const text = texts[locale] ?? texts[locale.split('-')[0] ?? ''] ?? texts.en;
  if (!text) return null;
  const fill = (value: string, max: number) =>
    value
      .replace(placeholder, (_all, name: string) =>
        (PUSH_VARIABLES as readonly string[]).includes(name) ? (variables[name] ?? '') : '',
      )
      .slice(0, max);
  return { title: fill(text.title, 100), body: fill(text.body, 240) };
}
