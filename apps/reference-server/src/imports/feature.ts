/**
 * The imports feature: patients, appointments, the catalogue's pricing and
 * capacity, leads and settlement lines from CSV, NDJSON or XLSX, sent
 * inline, as a multipart upload, or uploaded with a presigned link
 * (`imports.*`, `POST /api/v1/imports/uploads`), read with the kind's
 * aliases and a saved or inline column mapping (`importMappings.*`),
 * validated row by row and written in batches, with dry runs. Small files
 * complete within the request (status `completed`); larger ones are queued
 * (`pending`) and worked by the background runner (`runner.ts`). It also
 * serves the leads it writes (`leads.*`, personal fields encrypted) and runs
 * the job that encrypts leads stored in clear.
 */
import type { Feature } from '../feature.ts';
import { readSection } from '../feature.ts';
import { leadHandlers } from '../leads/handlers.ts';
import { reencryptLeads } from '../leads/reencrypt.ts';
import { importsConfig } from './config.ts';
import { importHandlers } from './handlers.ts';
import { importsMigrations } from './migrations.ts';
import { mountMultipartImports } from './multipart.ts';
import { importJobRunner } from './runner.ts';
import { mountImportUploads } from './upload-source.ts';

/** Leads encrypted per scheduler pass: small, so a pass never holds many row locks for long. */
const REENCRYPT_BATCH = 100;

/**
 * The imports feature.
 *
 * @example
 * const features: Feature[] = [...resourceFeatures, importsFeature];
 */
export const importsFeature: Feature = {
  name: 'imports',
  tables: ['import_jobs', 'leads', 'settlement_lines', 'import_mappings'],
  migrations: importsMigrations,
  config: importsConfig,
  handlers: (context) => ({
    ...importHandlers(readSection(context.config, importsConfig), {
      // Read when a request runs: handlers are also built on stand-in contexts without providers.
      get storage() {
        return context.providers.storage;
      },
    }),
    ...leadHandlers,
  }),
  routes: (app, context) => {
    mountImportUploads(app, context);
    mountMultipartImports(app, context);
  },
  jobs: (context) => [
    () => reencryptLeads(context.db, { batch: REENCRYPT_BATCH }),
    importJobRunner(context.db, readSection(context.config, importsConfig), {
      onError: (error, jobId) =>
        context.logger.error({ err: error, importJobId: jobId }, 'import job failed'),
    }),
  ],
};
