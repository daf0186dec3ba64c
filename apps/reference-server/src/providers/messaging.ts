/**
 * The messaging providers: WhatsApp Cloud, Twilio SMS and SendGrid email,
 * in that order of preference behind the fallback composer, which checks
 * the patient's consent and leaves a manual task when every channel fails.
 */
import type { MessagingChannel } from '@clinicbridge/adapters';
import {
  type ConsentChecker,
  createMessagingComposer,
  type MessagingComposer,
  type SenderQuotaOptions,
} from '@clinicbridge/adapters/messaging';
import { createSendGridEmailChannel } from '@clinicbridge/adapters/sendgrid';
import { createTwilioSmsChannel } from '@clinicbridge/adapters/twilio';
import { createWhatsAppChannel } from '@clinicbridge/adapters/whatsapp';
import type { Kysely } from 'kysely';
import * as z from 'zod';
import type { DB } from '../db/schema.ts';
import { callDatabase } from './audit.ts';
import { jsonValue, optionalUrl, optionalValue } from './config-values.ts';
import type { ProviderGroup } from './group.ts';
import { defaultSmsTemplates, defaultWhatsAppTemplates } from './messaging-templates.ts';
import { registerQuotaGauge, senderQuotaConfig, senderQuotaOptions } from './sender-quota.ts';

const whatsappTemplates = z.record(
  z.string(),
  z.object({
    name: z.string().min(1),
    body: z.array(z.string()),
    languages: z.record(z.string(), z.string()).optional(),
  }),
);
const textTemplates = z.record(z.string(), z.record(z.string(), z.string()));
const sendgridTemplates = z.record(
  z.string(),
  z.object({ templateIds: z.record(z.string(), z.string()), variables: z.array(z.string()) }),
);

/**
 * The messaging providers' section of the environment.
 *
 * @example
 * messagingConfig.parse({ TWILIO_ACCOUNT_SID: 'AC1', TWILIO_AUTH_TOKEN: 't', TWILIO_FROM: '+15005550006' });
 */
export const messagingConfig = z.object({
  /** WhatsApp Cloud API: access token and the business phone number id. */
  WHATSAPP_ACCESS_TOKEN: optionalValue,
  WHATSAPP_PHONE_NUMBER_ID: optionalValue,
  WHATSAPP_API_URL: optionalUrl,
  /** ClinicBridge template → approved WhatsApp template (`{ name, body: [variables] }`). */
  WHATSAPP_TEMPLATES: jsonValue(whatsappTemplates),
  /** Twilio SMS: account SID, auth token, and a Messaging Service SID or a From number. */
  TWILIO_ACCOUNT_SID: optionalValue,
  TWILIO_AUTH_TOKEN: optionalValue,
  TWILIO_MESSAGING_SERVICE_SID: optionalValue,
  TWILIO_FROM: optionalValue,
  TWILIO_API_URL: optionalUrl,
  /** Template → locale → SMS text with `{{variable}}` placeholders. */
  SMS_TEMPLATES: jsonValue(textTemplates),
  /** SendGrid email: API key, sender address and dynamic templates. */
  SENDGRID_API_KEY: optionalValue,
  SENDGRID_FROM: z.email().optional(),
  SENDGRID_API_URL: optionalUrl,
  SENDGRID_TEMPLATES: jsonValue(sendgridTemplates),
  /** Senders' daily quotas (see sender-quota.ts). */
  ...senderQuotaConfig.shape,
});

/**
 * The messaging adapters of a process.
 *
 * @example
 * await providers.messaging?.send(message);
 */
export interface MessagingProviders {
  /** Channels in order of preference: WhatsApp, SMS, email (configured ones only). */
  readonly channels: readonly MessagingChannel[];
  /** The fallback composer over `channels`; absent when no channel is configured. */
  readonly messaging?: MessagingComposer;
  /** The senders' daily quotas every composer over `channels` respects. */
  readonly senderQuota?: SenderQuotaOptions;
}

/**
 * Builds the configured channels and the composer over them.
 *
 * @example
 * const { built, absent } = messagingProviders.build(messagingConfig.parse(process.env), shared);
 */
export const messagingProviders: ProviderGroup<typeof messagingConfig, MessagingProviders> = {
  config: messagingConfig,
  build(config, shared) {
    const hooks = { metrics: shared.metrics, audit: shared.audit };
    const absent: string[] = [];
    const channels: MessagingChannel[] = [];

    if (config.WHATSAPP_ACCESS_TOKEN && config.WHATSAPP_PHONE_NUMBER_ID) {
      channels.push(
        createWhatsAppChannel({
          ...hooks,
          accessToken: config.WHATSAPP_ACCESS_TOKEN,
          phoneNumberId: config.WHATSAPP_PHONE_NUMBER_ID,
          templates: config.WHATSAPP_TEMPLATES ?? defaultWhatsAppTemplates,
          ...(config.WHATSAPP_API_URL ? { baseUrl: config.WHATSAPP_API_URL } : {}),
        }),
      );
    } else absent.push('whatsapp');

    const smsSender = config.TWILIO_MESSAGING_SERVICE_SID
      ? { messagingServiceSid: config.TWILIO_MESSAGING_SERVICE_SID }
      : config.TWILIO_FROM
        ? { from: config.TWILIO_FROM }
        : undefined;
    if (config.TWILIO_ACCOUNT_SID && config.TWILIO_AUTH_TOKEN && smsSender) {
      channels.push(
        createTwilioSmsChannel({
          ...hooks,
          ...smsSender,
          accountSid: config.TWILIO_ACCOUNT_SID,
          username: config.TWILIO_ACCOUNT_SID,
          password: config.TWILIO_AUTH_TOKEN,
          templates: config.SMS_TEMPLATES ?? defaultSmsTemplates,
          ...(config.TWILIO_API_URL ? { baseUrl: config.TWILIO_API_URL } : {}),
        }),
      );
    } else absent.push('sms');

    if (config.SENDGRID_API_KEY && config.SENDGRID_FROM && config.SENDGRID_TEMPLATES) {
      channels.push(
        createSendGridEmailChannel({
          ...hooks,
          apiKey: config.SENDGRID_API_KEY,
          from: { email: config.SENDGRID_FROM },
          templates: config.SENDGRID_TEMPLATES,
          ...(config.SENDGRID_API_URL ? { baseUrl: config.SENDGRID_API_URL } : {}),
        }),
      );
    } else absent.push('email');

    const senderQuota = senderQuotaOptions(
      config,
      {
        ...(config.WHATSAPP_PHONE_NUMBER_ID ? { whatsapp: config.WHATSAPP_PHONE_NUMBER_ID } : {}),
        ...(smsSender
          ? { sms: 'from' in smsSender ? smsSender.from : smsSender.messagingServiceSid }
          : {}),
        ...(config.SENDGRID_FROM ? { email: config.SENDGRID_FROM } : {}),
      },
      shared.quotaStore,
    );
    const messaging =
      channels.length > 0
        ? createMessagingComposer({
            channels,
            consent: patientConsent(shared.db),
            sink: shared.manualTasks,
            quota: senderQuota,
            now: shared.now,
          })
        : undefined;
    if (messaging) registerQuotaGauge(shared.registry, () => messaging.remainingQuota());
    return {
      built: { channels, senderQuota, ...(messaging ? { messaging } : {}) },
      absent,
    };
  },
};

/**
 * Consent from the patient row: messaging only for patients who said yes.
 * `subjectRef` is the patient id; the tenant is checked by the caller, which
 * only composes messages for its own patients.
 *
 * @example
 * const composer = createMessagingComposer({ channels, consent: patientConsent(db), sink });
 */
export function patientConsent(db: Kysely<DB>): ConsentChecker {
  return {
    async check({ subjectRef }) {
      const row = await callDatabase(db)
        .selectFrom('patients')
        .select('consent_messaging')
        .where('id', '=', subjectRef)
        .executeTakeFirst();
      if (!row) return 'no_consent';
      return row.consent_messaging ? 'granted' : 'opted_out';
    },
  };
}
