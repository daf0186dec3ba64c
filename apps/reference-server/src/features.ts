/**
 * The features of the server, in one list. The app takes their handlers and
 * routes, the migrator their migrations, `loadConfig` their configuration
 * sections, and the scheduler their subscribers and jobs. Adding a feature
 * is its folder plus one line here; removing a line removes the feature and
 * nothing else (its operations answer 501 `not_implemented`).
 */
import type { Migration } from 'kysely/migration';
import { analyticsFeature } from './analytics/feature.ts';
import { appointmentsFeature } from './appointments/feature.ts';
import { auditFeature } from './audit/feature.ts';
import { catalogueFeature } from './catalogue/feature.ts';
import { catalogueSyncFeature } from './catalogue-sync/feature.ts';
import { checkoutFeature } from './checkout/feature.ts';
import { claimsFeature } from './claims/feature.ts';
import { clinicSoftwareFeature } from './clinic-software/feature.ts';
import { consoleFeature } from './console/feature.ts';
import { conversationsFeature } from './conversations/feature.ts';
import { crmFeature } from './crm/feature.ts';
import { coreAppendOnlyTables, coreMigrations } from './db/migrations/index.ts';
import { deliveryFeature } from './delivery/feature.ts';
import { documentsFeature } from './documents/feature.ts';
import { eInvoicingFeature } from './einvoicing/feature.ts';
import { encountersFeature } from './encounters/feature.ts';
import { eventsFeature } from './events/feature.ts';
import { exportsFeature } from './exports/feature.ts';
import type { ConfigSection, Feature } from './feature.ts';
import { fhirFeature } from './fhir/feature.ts';
import { healthIdFeature } from './health-id/feature.ts';
import { hl7Feature } from './hl7/feature.ts';
import { importsFeature } from './imports/feature.ts';
import { inboundFeature } from './inbound/feature.ts';
import { installmentsFeature } from './installments/feature.ts';
import { integrationsFeature } from './integrations/feature.ts';
import { invoicesFeature } from './invoices/feature.ts';
import { manualTasksFeature } from './manual-tasks/feature.ts';
import { moneyFeature } from './money/feature.ts';
import { escrowScreeningFeature } from './money/screening.ts';
import { notificationsFeature } from './notifications/feature.ts';
import { patientsFeature } from './patients/feature.ts';
import { paymentsFeature } from './payments/feature.ts';
import { providersConfig } from './providers/index.ts';
import { reconciliationFeature } from './reconciliation/feature.ts';
import { relayFeature } from './relay/feature.ts';
import { reportingFeature } from './reporting/feature.ts';
import { schedulerConfig } from './scheduler/config.ts';
import { busMigrations } from './scheduler/migrations.ts';
import { shippingFeature } from './shipping/feature.ts';
import { storageFeature } from './storage/feature.ts';
import { subscriptionsFeature } from './subscriptions/feature.ts';
import { teleRoomsFeature } from './tele/feature.ts';
import { tokensFeature } from './tokens/feature.ts';
import { visasFeature } from './visas/feature.ts';
import { visitsFeature } from './visits/feature.ts';
import { webhookEndpointsFeature } from './webhook-endpoints/feature.ts';

/**
 * The API resources: features without background work or state of their own.
 *
 * @example
 * createApp({ database, config, features: resourceFeatures });
 */
export const resourceFeatures: readonly Feature[] = [
  tokensFeature,
  patientsFeature,
  appointmentsFeature,
  catalogueFeature,
  visitsFeature,
  encountersFeature,
  invoicesFeature,
  paymentsFeature,
  eventsFeature,
  auditFeature,
  integrationsFeature,
];

/**
 * Every feature of `clinicbridge-server start`, created fresh (some hold the
 * state of one running server).
 *
 * @example
 * const server = await startServer({ config, features: serverFeatures() });
 */
export function serverFeatures(): Feature[] {
  return [
    ...resourceFeatures,
    manualTasksFeature,
    storageFeature,
    documentsFeature,
    importsFeature,
    exportsFeature,
    webhookEndpointsFeature(),
    deliveryFeature(),
    inboundFeature(),
    hl7Feature(),
    notificationsFeature(),
    reportingFeature,
    analyticsFeature,
    crmFeature,
    fhirFeature,
    healthIdFeature,
    claimsFeature,
    visasFeature,
    eInvoicingFeature,
    catalogueSyncFeature,
    teleRoomsFeature,
    shippingFeature,
    clinicSoftwareFeature,
    moneyFeature,
    escrowScreeningFeature(),
    reconciliationFeature,
    installmentsFeature,
    checkoutFeature,
    consoleFeature(),
    conversationsFeature,
    relayFeature(),
    subscriptionsFeature,
  ];
}

/**
 * Configuration sections of a feature list, with the platform's own
 * (scheduler, providers), for `loadConfig(process.env, sections)`.
 *
 * @example
 * const config = loadConfig(process.env, configSections(serverFeatures()));
 */
export function configSections(features: readonly Feature[]): ConfigSection[] {
  return [
    schedulerConfig,
    providersConfig,
    ...features.flatMap((feature) => (feature.config ? [feature.config] : [])),
  ];
}

/**
 * The configuration sections of the full server.
 *
 * @example
 * const config = loadConfig(process.env, featureConfigSections);
 */
export const featureConfigSections: readonly ConfigSection[] = configSections(serverFeatures());

/**
 * Every migration of a feature list: the platform's (core tables, the
 * scheduler's queue and inbox), then each feature's.
 *
 * @example
 * await migrateToLatest(db, migrationsOf(serverFeatures()));
 */
export function migrationsOf(features: readonly Feature[]): Record<string, Migration> {
  const all: Record<string, Migration> = { ...coreMigrations, ...busMigrations };
  for (const feature of features) Object.assign(all, feature.migrations);
  return all;
}

/**
 * Every append-only table of a feature list (the kernel's and each
 * feature's): the tables the server's role may only read and insert into.
 *
 * @example
 * appendOnlyTablesOf(serverFeatures()); // ['audit_events', 'export_snapshots', 'ledger_entries', 'operator_actions']
 */
export function appendOnlyTablesOf(features: readonly Feature[]): string[] {
  const all = new Set(coreAppendOnlyTables);
  for (const feature of features)
    for (const table of feature.appendOnlyTables ?? []) all.add(table);
  return [...all].sort();
}

/**
 * Migrations of the full server.
 *
 * @example
 * await migrateToLatest(db, serverMigrations);
 */
export const serverMigrations: Record<string, Migration> = migrationsOf(serverFeatures());
