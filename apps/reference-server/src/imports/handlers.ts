/** Handlers of `imports.*`: synchronous within the configured limits. */
import type { ObjectStorage } from '@clinicbridge/adapters';
import { operations } from '@clinicbridge/sdk/contract';
import { changeOf, defineHandlers } from '../kernel/handlers.ts';
import { ApiError } from '../kernel/problem.ts';
import type { ImportsConfig } from './config.ts';
import { getImportJob, importFile, listImportJobs } from './service.ts';
import { readUploadedContent } from './upload-source.ts';

/**
 * Handlers for `imports.*` under `limits`.
 *
 * @example
 * const handlers = importHandlers(importsConfig.parse({}), { storage });
 */
export function importHandlers(limits: ImportsConfig, source: { readonly storage: ObjectStorage }) {
  return defineHandlers(operations.imports, {
    create: async (ctx) => {
      const { objectKey, content, ...request } = ctx.body;
      // The file comes inline or, uploaded with a presigned link, from the object store.
      if ((content === undefined) === (objectKey === undefined)) {
        throw new ApiError(
          'validation_failed',
          'Send the file either inline as `content` or as the `objectKey` of an upload, not both.',
        );
      }
      const text =
        content ??
        (await readUploadedContent(
          source.storage,
          ctx.auth.tenantId,
          objectKey ?? '',
          limits.IMPORT_MAX_BYTES,
        ));
      return importFile(ctx.db, changeOf(ctx), { ...request, content: text }, limits);
    },
    get: (ctx) => getImportJob(ctx.db, ctx.auth.tenantId, ctx.params.importId),
    list: (ctx) => listImportJobs(ctx.db, ctx.auth.tenantId, ctx.query),
  });
}
