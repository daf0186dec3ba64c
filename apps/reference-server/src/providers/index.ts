/**
 * The provider adapters of one server process, built from configuration:
 * messaging channels (WhatsApp, SMS, email) behind the fallback composer,
 * payment gateways and escrow, and travel search. Every adapter shares the
 * server's Prometheus registry (`integration_*` metrics), writes provider
 * calls to the audit log of the tenant the call is made for, and sends what
 * it cannot do to the database-backed manual-task sink (shown on `/ops`).
 * A provider without configuration is absent (undefined here); `absent`
 * names them so the server can say so once at start.
 */

import type {
  AuditHook,
  EscrowAccount,
  FlightSearch,
  HotelSearch,
  ManualTaskSink,
  MessagingChannel,
  PaymentGateway,
} from '@clinicbridge/adapters';
import { createAmadeusFlights, createAmadeusHotels } from '@clinicbridge/adapters/amadeus';
import {
  type ConsentChecker,
  createMessagingComposer,
  type MessagingComposer,
} from '@clinicbridge/adapters/messaging';
import { createPrometheusMetrics } from '@clinicbridge/adapters/prometheus';
import { createRazorpayGateway } from '@clinicbridge/adapters/razorpay';
import { createSendGridEmailChannel } from '@clinicbridge/adapters/sendgrid';
import { createStripeEscrow, createStripeGateway } from '@clinicbridge/adapters/stripe';
import { createTwilioSmsChannel } from '@clinicbridge/adapters/twilio';
import { createWhatsAppChannel } from '@clinicbridge/adapters/whatsapp';
import type { Kysely } from 'kysely';
import type { Registry } from 'prom-client';
import type { DB } from '../db/schema.ts';
import { DatabaseManualTaskSink } from '../manual-tasks/store.ts';
import { callDatabase, providerAuditHook } from './audit.ts';
import type { ProvidersConfig } from './config.ts';
import { defaultSmsTemplates, defaultWhatsAppTemplates } from './messaging-templates.ts';

export { callForTenant } from './audit.ts';
export { type ProvidersConfig, providersConfig } from './config.ts';

/**
 * The adapters a server process has.
 *
 * @example
 * if (!context.providers.messaging) logger.warn('no messaging provider: notifications are recorded only');
 */
export interface Providers {
  /** Channels in order of preference: WhatsApp, SMS, email (configured ones only). */
  readonly channels: readonly MessagingChannel[];
  /** The fallback composer over `channels`; absent when no channel is configured. */
  readonly messaging?: MessagingComposer;
  readonly payments: { readonly stripe?: PaymentGateway; readonly razorpay?: PaymentGateway };
  readonly escrow?: EscrowAccount;
  readonly travel?: { readonly flights: FlightSearch; readonly hotels: HotelSearch };
  /** Where adapters put the work a human must do. */
  readonly manualTasks: ManualTaskSink;
  /** Providers without configuration, for the start-up log. */
  readonly absent: readonly string[];
}

/**
 * What building the providers needs besides their configuration.
 *
 * @example
 * createProviders(config, { db, registry: metrics.registry, consent });
 */
export interface ProviderDeps {
  readonly db: Kysely<DB>;
  readonly registry: Registry;
  /** Who may be messaged; default: the patient's `consentMessaging` flag. */
  readonly consent?: ConsentChecker;
}

/**
 * No providers at all: what a server (or a test) without provider configuration has.
 *
 * @example
 * const providers = noProviders(new InMemoryManualTaskSink());
 */
export function noProviders(manualTasks: ManualTaskSink): Providers {
  return { channels: [], payments: {}, manualTasks, absent: [] };
}

/**
 * Builds every configured adapter.
 *
 * @example
 * const providers = createProviders(readSection(config, providersConfig), { db, registry });
 * await providers.messaging?.send(message);
 */
export function createProviders(config: ProvidersConfig, deps: ProviderDeps): Providers {
  const manualTasks: ManualTaskSink = {
    record: (task) => new DatabaseManualTaskSink(callDatabase(deps.db)).record(task),
  };
  const shared = {
    metrics: createPrometheusMetrics(deps.registry),
    audit: providerAuditHook(deps.db) satisfies AuditHook,
  };
  const absent: string[] = [];
  const channels: MessagingChannel[] = [];

  if (config.WHATSAPP_ACCESS_TOKEN && config.WHATSAPP_PHONE_NUMBER_ID) {
    channels.push(
      createWhatsAppChannel({
        ...shared,
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
        ...shared,
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
        ...shared,
        apiKey: config.SENDGRID_API_KEY,
        from: { email: config.SENDGRID_FROM },
        templates: config.SENDGRID_TEMPLATES,
        ...(config.SENDGRID_API_URL ? { baseUrl: config.SENDGRID_API_URL } : {}),
      }),
    );
  } else absent.push('email');

  const stripeOptions = config.STRIPE_SECRET_KEY
    ? {
        ...shared,
        secretKey: config.STRIPE_SECRET_KEY,
        ...(config.STRIPE_API_URL ? { baseUrl: config.STRIPE_API_URL } : {}),
      }
    : undefined;
  if (!stripeOptions) absent.push('stripe');
  const razorpay =
    config.RAZORPAY_KEY_ID && config.RAZORPAY_KEY_SECRET
      ? createRazorpayGateway({
          ...shared,
          keyId: config.RAZORPAY_KEY_ID,
          keySecret: config.RAZORPAY_KEY_SECRET,
          ...(config.RAZORPAY_API_URL ? { baseUrl: config.RAZORPAY_API_URL } : {}),
        })
      : undefined;
  if (!razorpay) absent.push('razorpay');

  const amadeusOptions =
    config.AMADEUS_CLIENT_ID && config.AMADEUS_CLIENT_SECRET
      ? {
          ...shared,
          clientId: config.AMADEUS_CLIENT_ID,
          clientSecret: config.AMADEUS_CLIENT_SECRET,
          environment: config.AMADEUS_ENVIRONMENT,
          sink: manualTasks,
          ...(config.AMADEUS_API_URL ? { baseUrl: config.AMADEUS_API_URL } : {}),
        }
      : undefined;
  if (!amadeusOptions) absent.push('amadeus');

  return {
    channels,
    ...(channels.length > 0
      ? {
          messaging: createMessagingComposer({
            channels,
            consent: deps.consent ?? patientConsent(deps.db),
            sink: manualTasks,
          }),
        }
      : {}),
    payments: {
      ...(stripeOptions ? { stripe: createStripeGateway(stripeOptions) } : {}),
      ...(razorpay ? { razorpay } : {}),
    },
    ...(stripeOptions ? { escrow: createStripeEscrow(stripeOptions) } : {}),
    ...(amadeusOptions
      ? {
          travel: {
            flights: createAmadeusFlights(amadeusOptions),
            hotels: createAmadeusHotels(amadeusOptions),
          },
        }
      : {}),
    manualTasks,
    absent,
  };
}

/**
 * Consent from the patient row: messaging only for patients who said yes.
 * `subjectRef` is the patient id; the tenant is checked by the caller, which
 * only composes messages for its own patients.
 */
function patientConsent(db: Kysely<DB>): ConsentChecker {
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
