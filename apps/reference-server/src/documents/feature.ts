/**
 * The documents feature: patient documents uploaded by presigned link
 * (`documents.*`), device references without bytes, short-lived download
 * links for staff, and the job that deletes documents once their retention
 * (180 days by default) ends. The files live in the object store built with
 * the providers (filesystem by default, its links served by the storage
 * feature; S3 when configured).
 */
import { type Feature, readSection } from '../feature.ts';
import { documentsConfig } from './config.ts';
import { documentHandlers } from './handlers.ts';
import { documentsMigrations } from './migrations.ts';
import { type DocumentsDeps, expireDocuments } from './service.ts';

/**
 * The documents feature.
 *
 * @example
 * const features: Feature[] = [...resourceFeatures, storageFeature, documentsFeature];
 */
export const documentsFeature: Feature = {
  name: 'documents',
  tables: ['documents'],
  migrations: documentsMigrations,
  config: documentsConfig,
  handlers: (context) => {
    let deps: DocumentsDeps | undefined;
    return documentHandlers(() => {
      deps ??= {
        storage: context.providers.storage,
        config: readSection(context.config, documentsConfig),
      };
      return deps;
    });
  },
  jobs: (context) => [(now) => expireDocuments(context.db, context.providers.storage, now)],
};
