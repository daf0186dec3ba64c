/**
 * The provider adapters of one server process, built from configuration.
 * Each family of providers is a group in its own file (`messaging.ts`,
 * `payments.ts`, `travel.ts`, `clinical.ts`, `visa.ts`, `tele.ts`, `analytics.ts`,
 * `push.ts`, `shipping.ts`, `catalogue.ts`, `health-id.ts`, `clinic-software.ts`, `crm.ts`): its
 * configuration section and the function
 * that builds the configured adapters. Every adapter shares the server's
 * Prometheus registry (`integration_*` metrics), writes provider calls to
 * the audit log of the tenant the call is made for, and sends what it
 * cannot do to the database-backed manual-task sink (shown on `/ops`).
 * A provider without configuration is absent (undefined here); `absent`
 * names them so the server can say so once at start.
 *
 * Adding a provider family: its group file, then one line in each of
 * `providersConfig`, `Providers` and `createProviders` below.
 */
import type { ManualTaskSink, TokenCache } from '@clinicbridge/adapters';
import type { QuotaStore } from '@clinicbridge/adapters/messaging';
import { createPrometheusMetrics } from '@clinicbridge/adapters/prometheus';
import type { Kysely } from 'kysely';
import type { Registry } from 'prom-client';
import * as z from 'zod';
import type { DB } from '../db/schema.ts';
import { DatabaseManualTaskSink } from '../manual-tasks/store.ts';
import { type AnalyticsProviders, analyticsProviders } from './analytics.ts';
import { callDatabase, providerAuditHook } from './audit.ts';
import { type CatalogueSourceProviders, catalogueSourceProviders } from './catalogue.ts';
import { type ClinicSoftwareProviders, clinicSoftwareProviders } from './clinic-software.ts';
import { type ClinicalProviders, clinicalProviders } from './clinical.ts';
import { type CrmProviders, crmProviders } from './crm.ts';
import { type EInvoicingProviders, eInvoicingProviders } from './einvoicing.ts';
import type { ProviderShared } from './group.ts';
import { type HealthIdProviders, healthIdProviders } from './health-id.ts';
import { type MessagingProviders, messagingProviders } from './messaging.ts';
import { type PaymentProviders, paymentProviders } from './payments.ts';
import { type PushProviders, pushProviders } from './push.ts';
import { DatabaseQuotaStore } from './sender-quota.ts';
import { type ShippingProviders, shippingProviders } from './shipping.ts';
import { type StorageProviders, storageProviders } from './storage.ts';
import { type TeleProviders, teleProviders } from './tele.ts';
import { type TravelProviders, travelProviders } from './travel.ts';
import { type VisaProviders, visaProviders } from './visa.ts';

export { callForTenant } from './audit.ts';
export type { ProviderGroup, ProviderShared } from './group.ts';

/**
 * The providers' section of the environment: every group's variables.
 *
 * @example
 * providersConfig.parse({ TWILIO_ACCOUNT_SID: 'AC1', TWILIO_AUTH_TOKEN: 't', TWILIO_FROM: '+15005550006' });
 */
export const providersConfig = z.object({
  ...messagingProviders.config.shape,
  ...paymentProviders.config.shape,
  ...travelProviders.config.shape,
  ...clinicalProviders.config.shape,
  ...storageProviders.config.shape,
  ...visaProviders.config.shape,
  ...eInvoicingProviders.config.shape,
  ...teleProviders.config.shape,
  ...analyticsProviders.config.shape,
  ...pushProviders.config.shape,
  ...shippingProviders.config.shape,
  ...catalogueSourceProviders.config.shape,
  ...healthIdProviders.config.shape,
  ...clinicSoftwareProviders.config.shape,
  ...crmProviders.config.shape,
});

/**
 * The parsed providers section.
 *
 * @example
 * const config: ProvidersConfig = providersConfig.parse(process.env);
 */
export type ProvidersConfig = z.infer<typeof providersConfig>;

/**
 * The adapters a server process has.
 *
 * @example
 * if (!context.providers.messaging) logger.warn('no messaging provider: notifications are recorded only');
 */
export interface Providers
  extends MessagingProviders,
    PaymentProviders,
    TravelProviders,
    ClinicalProviders,
    StorageProviders,
    VisaProviders,
    EInvoicingProviders,
    TeleProviders,
    AnalyticsProviders,
    PushProviders,
    ShippingProviders,
    CatalogueSourceProviders,
    HealthIdProviders,
    ClinicSoftwareProviders,
    CrmProviders {
  /** Where adapters put the work a human must do. */
  readonly manualTasks: ManualTaskSink;
  /** Providers without configuration, for the start-up log. */
  readonly absent: readonly string[];
}

/**
 * What building the providers needs besides their configuration.
 *
 * @example
 * createProviders(config, { db, registry: metrics.registry, server: { dataDir: './.data', publicUrl } });
 */
export interface ProviderDeps {
  readonly db: Kysely<DB>;
  readonly registry: Registry;
  /** The data directory and public URL (the filesystem store keeps files and serves links there). */
  readonly server: { readonly dataDir: string; readonly publicUrl: string };
  /** Shared OAuth2 token storage (Redis); default each adapter's own memory. */
  readonly tokenCache?: TokenCache;
  /** Senders' daily quota counters (Redis); default the PostgreSQL rows. */
  readonly quotaStore?: QuotaStore;
  /** The server's clock (quota days); default the real one. */
  readonly now?: () => Date;
}

/**
 * Builds every configured adapter.
 *
 * @example
 * const providers = createProviders(readSection(config, providersConfig), { db, registry });
 * await providers.messaging?.send(message);
 */
export function createProviders(config: ProvidersConfig, deps: ProviderDeps): Providers {
  const shared: ProviderShared = {
    metrics: createPrometheusMetrics(deps.registry),
    audit: providerAuditHook(deps.db),
    manualTasks: {
      record: (task) => new DatabaseManualTaskSink(callDatabase(deps.db)).record(task),
    },
    db: deps.db,
    server: deps.server,
    registry: deps.registry,
    now: deps.now ?? (() => new Date()),
    quotaStore: deps.quotaStore ?? new DatabaseQuotaStore(deps.db),
    ...(deps.tokenCache ? { tokenCache: deps.tokenCache } : {}),
  };
  const groups = [
    messagingProviders.build(config, shared),
    paymentProviders.build(config, shared),
    travelProviders.build(config, shared),
    clinicalProviders.build(config, shared),
    storageProviders.build(config, shared),
    visaProviders.build(config, shared),
    eInvoicingProviders.build(config, shared),
    teleProviders.build(config, shared),
    analyticsProviders.build(config, shared),
    pushProviders.build(config, shared),
    shippingProviders.build(config, shared),
    catalogueSourceProviders.build(config, shared),
    healthIdProviders.build(config, shared),
    clinicSoftwareProviders.build(config, shared),
    crmProviders.build(config, shared),
  ] as const;
  const [
    messaging,
    payments,
    travel,
    clinical,
    storage,
    visa,
    einvoicing,
    tele,
    analytics,
    push,
    shipping,
    catalogue,
    healthId,
    clinicSoftware,
    crm,
  ] = groups;
  return {
    ...messaging.built,
    ...payments.built,
    ...travel.built,
    ...clinical.built,
    ...storage.built,
    ...visa.built,
    ...einvoicing.built,
    ...tele.built,
    ...analytics.built,
    ...push.built,
    ...shipping.built,
    ...catalogue.built,
    ...healthId.built,
    ...clinicSoftware.built,
    ...crm.built,
    manualTasks: shared.manualTasks,
    absent: groups.flatMap((group) => group.absent),
  };
}
