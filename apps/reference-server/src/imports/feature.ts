/**
 * The imports feature: patients, appointments, the catalogue, leads and
 * settlement lines from CSV, NDJSON or XLSX sent inline or uploaded with a
 * presigned link (`imports.*`, `POST /api/v1/imports/uploads`), validated
 * row by row and written in batches, with dry runs. Small files complete
 * within the request (status `completed`); larger ones are queued
 * (`pending`) and worked by the background runner (`runner.ts`).
 */
import type { Feature } from '../feature.ts';
import { readSection } from '../feature.ts';
import { importsConfig } from './config.ts';
import { importHandlers } from './handlers.ts';
import { importsMigrations } from './migrations.ts';
import { importJobRunner } from './runner.ts';
import { mountImportUploads } from './upload-source.ts';

/**
 * The imports feature.
 *
 * @example
 * const features: Feature[] = [...resourceFeatures, importsFeature];
 */
export const importsFeature: Feature = {
  name: 'imports',
  tables: ['import_jobs', 'leads', 'settlement_lines'],
  migrations: importsMigrations,
  config: importsConfig,
  handlers: (context) =>
    importHandlers(readSection(context.config, importsConfig), {
      // Read when a request runs: handlers are also built on stand-in contexts without providers.
      get storage() {
        return context.providers.storage;
      },
    }),
  routes: mountImportUploads,
  jobs: (context) => [
    importJobRunner(context.db, readSection(context.config, importsConfig), {
      onError: (error, jobId) =>
        context.logger.error({ err: error, importJobId: jobId }, 'import job failed'),
    }),
  ],
};
