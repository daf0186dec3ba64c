/**
 * The exports feature: immutable snapshots of appointments, invoices,
 * payments (with refunds) and audit events as CSV or NDJSON (`exports.*`),
 * and the FHIR bulk file under the FHIR API's consent rule, kept in the
 * object store, and the download route.
 */
import { publicUrl } from '../config/index.ts';
import type { Feature } from '../feature.ts';
import { readSection } from '../feature.ts';
import { patientsWithoutConsent } from '../health-id/gate.ts';
import { exportsConfig } from './config.ts';
import { exportHandlers } from './handlers.ts';
import { exportsMigrations } from './migrations.ts';
import { mountExportDownload } from './routes.ts';

/**
 * The exports feature (needs the storage feature's `storage_objects`).
 *
 * @example
 * const features: Feature[] = [...resourceFeatures, storageFeature, exportsFeature];
 */
export const exportsFeature: Feature = {
  name: 'exports',
  tables: ['export_snapshots'],
  appendOnlyTables: ['export_snapshots'],
  migrations: exportsMigrations,
  config: exportsConfig,
  handlers: (context) =>
    exportHandlers({
      // Read when a request runs: handlers are also built on stand-in contexts without providers.
      get storage() {
        return context.providers.storage;
      },
      // Without PUBLIC_URL the link is a path on the API's own origin.
      linkBase: context.config.PUBLIC_URL ? publicUrl(context.config) : '',
      maxRows: readSection(context.config, exportsConfig).EXPORT_MAX_ROWS,
      // The FHIR API's rule: with the ABDM gateway, linked patients leave only under consent.
      get consentGate() {
        return context.providers.healthId ? patientsWithoutConsent : undefined;
      },
    }),
  routes: mountExportDownload,
};
