/**
 * @clinicbridge/adapters/sendgrid — `MessagingChannel` for email on
 * SendGrid's v3 Mail Send API with dynamic templates. Only the variables a
 * template declares are put into `dynamic_template_data`.
 */
import { type AdapterOptions, pickAdapterOptions } from '../core/adapter-options.ts';
import { bearerAuth } from '../core/auth.ts';
import { callerKeys } from '../core/call-keys.ts';
import { createProviderClient } from '../core/client.ts';
import { InMemoryIdempotencyResultStore } from '../core/idempotency.ts';
import { parseMessage, pickVariables, unknownTemplate } from '../ports/channel-helpers.ts';
import { type MessagingChannel, pickLocale } from '../ports/messaging.ts';
import { createSendOnce } from '../ports/send-once.ts';
import { mapSendGridError } from './errors.ts';

export { mapSendGridError } from './errors.ts';

/**
 * A ClinicBridge template on SendGrid: the dynamic template id (one per
 * locale, or one handling locales itself) and the variables it uses.
 *
 * @example
 * const t: SendGridTemplate = { templateIds: { en: 'd-123', tr: 'd-456' }, variables: ['time'] };
 */
export interface SendGridTemplate {
  templateIds: Record<string, string>;
  variables: readonly string[];
}

/**
 * SendGrid settings.
 *
 * @example
 * const options: SendGridOptions = { apiKey, from: { email: 'care@clinic.test', name: 'Clinic' }, templates };
 */
export interface SendGridOptions extends AdapterOptions {
  apiKey: string;
  from: { email: string; name?: string };
  templates: Record<string, SendGridTemplate>;
  fallbackLocale?: string;
  /** Mark as encrypted only when mail is end-to-end encrypted (e.g. a secure-mail relay). Default false. */
  encrypted?: boolean;
  /** SendGrid sandbox mode: validated, not delivered. */
  sandbox?: boolean;
}

/**
 * Creates the SendGrid email channel.
 *
 * @example
 * const email = createSendGridEmailChannel({
 *   apiKey: process.env.SENDGRID_API_KEY!,
 *   from: { email: 'care@clinic.test' },
 *   templates: { appointment_reminder: { templateIds: { en: 'd-123' }, variables: ['time'] } },
 * });
 * await email.send({ channel: 'email', to: 'patient@example.com', template: 'appointment_reminder', locale: 'en', variables: { time: '09:30' } });
 */
export function createSendGridEmailChannel(options: SendGridOptions): MessagingChannel {
  const client = createProviderClient({
    provider: 'sendgrid',
    baseUrl: options.baseUrl ?? 'https://api.sendgrid.com',
    auth: bearerAuth(options.apiKey),
    mapError: mapSendGridError,
    ...pickAdapterOptions(options),
  });
  const sendOnce = createSendOnce(
    options.idempotencyStore ?? new InMemoryIdempotencyResultStore(),
    'sendgrid',
  );
  const fallback = options.fallbackLocale ?? 'en';

  return {
    channel: 'email',
    provider: 'sendgrid',
    encrypted: options.encrypted ?? false,
    supports: (template) => template in options.templates,
    async send(raw) {
      const message = parseMessage(raw, 'email', 'sendgrid');
      const template = options.templates[message.template];
      if (!template) throw unknownTemplate('sendgrid');
      const templateId = pickLocale(template.templateIds, message.locale, fallback);
      if (!templateId) throw unknownTemplate('sendgrid');
      const values = pickVariables(template.variables, message.variables, 'sendgrid');
      const data = Object.fromEntries(template.variables.map((name, i) => [name, values[i]]));
      return sendOnce(message.idempotencyKey, async () => {
        const response = await client.send({
          operation: 'messages.send',
          method: 'post',
          path: '/v3/mail/send',
          json: {
            personalizations: [
              {
                to: [{ email: message.to }],
                dynamic_template_data: { ...data, locale: message.locale },
              },
            ],
            from: options.from,
            template_id: templateId,
            ...(options.sandbox ? { mail_settings: { sandbox_mode: { enable: true } } } : {}),
          },
          ...callerKeys(message),
        });
        return {
          channel: 'email',
          provider: 'sendgrid',
          providerMessageId:
            response.headers.get('x-message-id') ?? response.idempotencyKey ?? 'unknown',
          status: 'accepted',
        };
      });
    },
  };
}
