/**
 * @clinicbridge/adapters/twilio — `MessagingChannel` for SMS on Twilio's
 * Messages API. SMS has no provider-side templates, so templates are rendered
 * here from per-locale bodies; SMS is unencrypted and the composer keeps
 * clinical detail off it.
 */
import { z } from 'zod';
import { type AdapterOptions, pickAdapterOptions, segment } from '../core/adapter-options.ts';
import { basicAuth } from '../core/auth.ts';
import { callerKeys } from '../core/call-keys.ts';
import { createProviderClient } from '../core/client.ts';
import { ProviderError } from '../core/errors.ts';
import { InMemoryIdempotencyResultStore } from '../core/idempotency.ts';
import { parseMessage, unknownTemplate } from '../ports/channel-helpers.ts';
import { type MessagingChannel, pickLocale, renderTemplate } from '../ports/messaging.ts';
import { createSendOnce } from '../ports/send-once.ts';
import { mapTwilioError } from './errors.ts';

export { mapTwilioError } from './errors.ts';

/**
 * Twilio settings. Authenticate with the account SID and auth token, or an
 * API key SID and secret (`username`/`password`).
 *
 * @example
 * const options: TwilioSmsOptions = {
 *   accountSid: 'AC…', username: 'SK…', password: process.env.TWILIO_API_SECRET!,
 *   messagingServiceSid: 'MG…',
 *   templates: { appointment_reminder: { en: 'Your visit is at {{time}}.', tr: 'Randevunuz {{time}}.' } },
 * };
 */
export interface TwilioSmsOptions extends AdapterOptions {
  accountSid: string;
  /** Auth username: the account SID or an API key SID. */
  username: string;
  /** Auth token or API key secret. */
  password: string;
  /** Sender: a Messaging Service (preferred) or a `From` number. */
  messagingServiceSid?: string;
  from?: string;
  /** Template name → locale → body with `{{variable}}` placeholders. */
  templates: Record<string, Record<string, string>>;
  /** Locale used when the recipient's is not configured. Default `en`. */
  fallbackLocale?: string;
  statusCallbackUrl?: string;
}

const TwilioMessage = z.object({ sid: z.string(), status: z.string() });

/**
 * Creates the Twilio SMS channel.
 *
 * @example
 * const sms = createTwilioSmsChannel({ accountSid: 'AC1', username: 'AC1', password: token, from: '+15005550006', templates });
 * await sms.send({ channel: 'sms', to: '+905551112233', template: 'appointment_reminder', locale: 'tr', variables: { time: '09:30' } });
 */
export function createTwilioSmsChannel(options: TwilioSmsOptions): MessagingChannel {
  if (!options.messagingServiceSid && !options.from) {
    throw new TypeError('Twilio needs a messagingServiceSid or a from number.');
  }
  const client = createProviderClient({
    provider: 'twilio',
    baseUrl: options.baseUrl ?? 'https://api.twilio.com',
    auth: basicAuth(options.username, options.password),
    mapError: mapTwilioError,
    requestIdHeader: 'twilio-request-id',
    ...pickAdapterOptions(options),
  });
  const sendOnce = createSendOnce(
    options.idempotencyStore ?? new InMemoryIdempotencyResultStore(),
    'twilio',
  );

  return {
    channel: 'sms',
    provider: 'twilio',
    encrypted: false,
    supports: (template) => template in options.templates,
    async send(raw) {
      const message = parseMessage(raw, 'sms', 'twilio');
      const bodies = options.templates[message.template];
      if (!bodies) throw unknownTemplate('twilio');
      const body = pickLocale(bodies, message.locale, options.fallbackLocale ?? 'en');
      if (body === undefined) throw unknownTemplate('twilio');
      let text: string;
      try {
        text = renderTemplate(body, message.variables);
      } catch {
        throw new ProviderError({
          code: 'invalid_request',
          provider: 'twilio',
          operation: 'messages.send',
          fields: ['variables'],
        });
      }
      return sendOnce(message.idempotencyKey, async () => {
        const sent = await client.json({
          operation: 'messages.send',
          method: 'post',
          path: `/2010-04-01/Accounts/${segment(options.accountSid)}/Messages.json`,
          form: {
            To: message.to,
            Body: text,
            MessagingServiceSid: options.messagingServiceSid,
            From: options.messagingServiceSid ? undefined : options.from,
            StatusCallback: options.statusCallbackUrl,
          },
          schema: TwilioMessage,
          ...callerKeys(message),
        });
        return {
          channel: 'sms',
          provider: 'twilio',
          providerMessageId: sent.sid,
          status: sent.status === 'sent' ? 'sent' : 'queued',
        };
      });
    },
  };
}
