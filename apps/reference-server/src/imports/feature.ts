/**
 * The imports feature: patients and appointments from CSV or NDJSON sent
 * inline or uploaded with a presigned link (`imports.*`,
 * `POST /api/v1/imports/uploads`), validated row by row, with dry runs. Jobs complete
 * within the request (bounded by the limits in `config.ts`); the job is
 * returned with status `completed`.
 */
import type { Feature } from '../feature.ts';
import { readSection } from '../feature.ts';
import { importsConfig } from './config.ts';
import { importHandlers } from './handlers.ts';
import { importsMigrations } from './migrations.ts';
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
};
