/**
 * @clinicbridge/adapters/whatsapp — `MessagingChannel` on the WhatsApp Cloud
 * API: approved template messages sent with a system-user access token.
 * Business-initiated messages must use templates, which is why this adapter
 * sends nothing else.
 */

import { z } from 'zod';
import { type AdapterOptions, pickAdapterOptions, segment } from '../core/adapter-options.ts';
import { bearerAuth } from '../core/auth.ts';
import { callerKeys } from '../core/call-keys.ts';
import { createProviderClient } from '../core/client.ts';
import { InMemoryIdempotencyResultStore } from '../core/idempotency.ts';
import { parseMessage, pickVariables, unknownTemplate } from '../ports/channel-helpers.ts';
import type { MessagingChannel } from '../ports/messaging.ts';
import { createSendOnce } from '../ports/send-once.ts';
import { mapWhatsAppError } from './errors.ts';

export { mapWhatsAppError } from './errors.ts';
export { readWhatsAppStatuses, type WhatsAppStatusUpdate } from './webhook.ts';

/**
 * How a ClinicBridge template maps onto an approved WhatsApp template.
 *
 * @example
 * const reminder: WhatsAppTemplate = { name: 'appointment_reminder_v2', body: ['clinic', 'time'], languages: { en: 'en_US' } };
 */
export interface WhatsAppTemplate {
  /** Template name as approved in WhatsApp Manager. */
  name: string;
  /** Variable names filling `{{1}}`, `{{2}}`, … of the body, in order. */
  body: readonly string[];
  /** ClinicBridge locale → WhatsApp language code; default: the locale with `_` for `-`. */
  languages?: Record<string, string>;
}

/**
 * WhatsApp settings.
 *
 * @example
 * const options: WhatsAppOptions = { accessToken, phoneNumberId: '1065…', templates: { appointment_reminder: reminder } };
 */
export interface WhatsAppOptions extends AdapterOptions {
  accessToken: string;
  /** The business phone number id (not the number itself). */
  phoneNumberId: string;
  /** Graph API version. Default `v21.0`. */
  apiVersion?: string;
  templates: Record<string, WhatsAppTemplate>;
}

const GraphSendResponse = z.object({
  messages: z.array(z.object({ id: z.string(), message_status: z.string().optional() })).min(1),
});

/**
 * Creates the WhatsApp channel.
 *
 * @example
 * const whatsapp = createWhatsAppChannel({
 *   accessToken: process.env.WHATSAPP_TOKEN!,
 *   phoneNumberId: process.env.WHATSAPP_PHONE_NUMBER_ID!,
 *   templates: { appointment_reminder: { name: 'appointment_reminder_v2', body: ['time'] } },
 * });
 * await whatsapp.send({ channel: 'whatsapp', to: '+905551112233', template: 'appointment_reminder', locale: 'tr', variables: { time: '09:30' } });
 */
export function createWhatsAppChannel(options: WhatsAppOptions): MessagingChannel {
  const client = createProviderClient({
    provider: 'whatsapp',
    baseUrl: options.baseUrl ?? 'https://graph.facebook.com',
    auth: bearerAuth(options.accessToken),
    mapError: mapWhatsAppError,
    ...pickAdapterOptions(options),
  });
  const sendOnce = createSendOnce(
    options.idempotencyStore ?? new InMemoryIdempotencyResultStore(),
    'whatsapp',
  );
  const version = options.apiVersion ?? 'v21.0';

  return {
    channel: 'whatsapp',
    provider: 'whatsapp',
    encrypted: true,
    supports: (template) => template in options.templates,
    async send(raw) {
      const message = parseMessage(raw, 'whatsapp', 'whatsapp');
      const template = options.templates[message.template];
      if (!template) throw unknownTemplate('whatsapp');
      const values = pickVariables(template.body, message.variables, 'whatsapp');
      const language = template.languages?.[message.locale] ?? message.locale.replace('-', '_');
      return sendOnce(message.idempotencyKey, async () => {
        const response = await client.json({
          operation: 'messages.send',
          method: 'post',
          path: `/${segment(version)}/${segment(options.phoneNumberId)}/messages`,
          json: {
            messaging_product: 'whatsapp',
            recipient_type: 'individual',
            to: message.to.replace(/^\+/, ''),
            type: 'template',
            template: {
              name: template.name,
              language: { code: language },
              components:
                values.length > 0
                  ? [{ type: 'body', parameters: values.map((text) => ({ type: 'text', text })) }]
                  : [],
            },
          },
          schema: GraphSendResponse,
          ...callerKeys(message),
        });
        return {
          channel: 'whatsapp',
          provider: 'whatsapp',
          providerMessageId: response.messages[0]!.id,
          status: 'accepted',
        };
      });
    },
  };
}
