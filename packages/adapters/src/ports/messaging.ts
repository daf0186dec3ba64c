/**
 * The `MessagingChannel` port: one templated message to one recipient on one
 * channel. Templates are named by ClinicBridge (`appointment_reminder`) and
 * each adapter maps the name to its provider's template; only the variables
 * a template declares are sent. The fallback composer
 * (`@clinicbridge/adapters/messaging`) chains channels.
 */
import { z } from 'zod';

/**
 * A delivery channel.
 *
 * @example
 * ChannelKindSchema.parse('whatsapp');
 */
export const ChannelKindSchema = z.enum(['whatsapp', 'sms', 'email']);

/**
 * One templated message. `to` is a phone number in E.164 (WhatsApp, SMS) or
 * an email address.
 *
 * @example
 * TemplatedMessageSchema.parse({
 *   channel: 'sms', to: '+905551112233', template: 'appointment_reminder',
 *   locale: 'tr', variables: { time: '09:30' },
 * });
 */
export const TemplatedMessageSchema = z.object({
  channel: ChannelKindSchema,
  to: z.string().min(3).max(320),
  template: z.string().regex(/^[a-z0-9_]{1,64}$/),
  /** BCP 47 tag such as `en`, `tr`, `ar`, `pt-BR`. */
  locale: z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/),
  variables: z.record(z.string(), z.string().max(1024)).default({}),
  idempotencyKey: z.string().min(1).max(255).optional(),
  correlationId: z.string().optional(),
});

/**
 * The provider accepted the message.
 *
 * @example
 * const sent: SendResult = await channel.send(message);
 */
export const SendResultSchema = z.object({
  channel: ChannelKindSchema,
  provider: z.string(),
  providerMessageId: z.string(),
  status: z.enum(['accepted', 'queued', 'sent']),
});

/** @example const kind: ChannelKind = 'email'; */
export type ChannelKind = z.infer<typeof ChannelKindSchema>;
/** @example const message: TemplatedMessage = { channel: 'email', to: 'a@b.test', template: 't', locale: 'en', variables: {} }; */
export type TemplatedMessage = z.input<typeof TemplatedMessageSchema>;
/** @example const sent: SendResult = await channel.send(message); */
export type SendResult = z.infer<typeof SendResultSchema>;

/**
 * A messaging channel. `encrypted` says whether the channel protects content
 * end to end (WhatsApp) or not (SMS, ordinary email); the composer never puts
 * clinical detail on an unencrypted channel.
 *
 * @example
 * const result = await whatsapp.send({
 *   channel: 'whatsapp', to: '+905551112233', template: 'appointment_reminder',
 *   locale: 'en', variables: { time: '09:30' },
 * });
 */
export interface MessagingChannel {
  readonly channel: ChannelKind;
  readonly provider: string;
  readonly encrypted: boolean;
  /** Whether the adapter knows this template (and so can send it). */
  supports(template: string): boolean;
  send(message: TemplatedMessage): Promise<SendResult>;
}

/**
 * Fills `{{name}}` placeholders from `variables`; unknown placeholders throw so
 * a message never goes out half-filled.
 *
 * @example
 * renderTemplate('Your visit is at {{time}}', { time: '09:30' }); // 'Your visit is at 09:30'
 */
export function renderTemplate(body: string, variables: Record<string, string>): string {
  return body.replace(/\{\{\s*([a-zA-Z0-9_]+)\s*\}\}/g, (_, name: string) => {
    const value = variables[name];
    if (value === undefined) throw new RangeError(`Template variable "${name}" is missing.`);
    return value;
  });
}

/**
 * Picks the closest configured locale: exact tag, then language, then `fallback`.
 *
 * @example
 * pickLocale({ en: 'a', tr: 'b' }, 'tr-TR', 'en'); // 'b'
 */
export function pickLocale<T>(
  byLocale: Record<string, T>,
  locale: string,
  fallback: string,
): T | undefined {
  return byLocale[locale] ?? byLocale[locale.split('-')[0] ?? ''] ?? byLocale[fallback];
}
