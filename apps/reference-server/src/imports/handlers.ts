/** Handlers of `imports.*` and `importMappings.*`: synchronous within the configured limits. */
import type { ObjectStorage } from '@clinicbridge/adapters';
import { type ImportJob, operations } from '@clinicbridge/sdk/contract';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { ChangeContext } from '../kernel/change.ts';
import { changeOf, defineHandlers } from '../kernel/handlers.ts';
import { ApiError } from '../kernel/problem.ts';
import type { ImportsConfig } from './config.ts';
import type { ImportFormat, ImportKind } from './kinds.ts';
import {
  deleteImportMapping,
  getImportMapping,
  importMappingFor,
  listImportMappings,
  saveImportMapping,
} from './mappings.ts';
import { getImportJob, importFile, listImportJobs } from './service.ts';
import { readUploadedContent } from './upload-source.ts';

/**
 * An `imports.create` body, from JSON or from a multipart form.
 *
 * @example
 * const body: ImportCreateBody = { kind: 'leads', format: 'csv', content, mappingId: 'imm_…' };
 */
export interface ImportCreateBody {
  kind: ImportKind;
  format: ImportFormat;
  content?: string | undefined;
  objectKey?: string | undefined;
  dryRun?: boolean | undefined;
  fileName?: string | undefined;
  mappingId?: string | undefined;
  mapping?: Record<string, string> | undefined;
}

/**
 * Runs one import request in the caller's transaction: the file inline or from the object
 * store, the header read with the named or inline mapping.
 *
 * @example
 * const job = await runImportRequest(trx, body, limits, { storage, change });
 */
export async function runImportRequest(
  db: Kysely<DB>,
  body: ImportCreateBody,
  limits: ImportsConfig,
  source: { readonly storage: ObjectStorage; readonly change: ChangeContext },
): Promise<ImportJob> {
  const { objectKey, content, mappingId, mapping, ...request } = body;
  // The file comes inline or, uploaded with a presigned link, from the object store.
  if ((content === undefined) === (objectKey === undefined)) {
    throw new ApiError(
      'validation_failed',
      'Send the file either inline as `content` or as the `objectKey` of an upload, not both.',
    );
  }
  const { change } = source;
  const columns = await importMappingFor(db, change.tenantId, request.kind, { mappingId, mapping });
  const text =
    content ??
    (await readUploadedContent(
      source.storage,
      change.tenantId,
      objectKey ?? '',
      limits.IMPORT_MAX_BYTES,
    ));
  return importFile(db, change, { ...request, content: text, mapping: columns }, limits);
}

/**
 * Handlers for `imports.*` and `importMappings.*` under `limits`.
 *
 * @example
 * const handlers = importHandlers(importsConfig.parse({}), { storage });
 */
export function importHandlers(limits: ImportsConfig, source: { readonly storage: ObjectStorage }) {
  return {
    ...defineHandlers(operations.imports, {
      create: (ctx) =>
        runImportRequest(ctx.db, ctx.body, limits, {
          storage: source.storage,
          change: changeOf(ctx),
        }),
      get: (ctx) => getImportJob(ctx.db, ctx.auth.tenantId, ctx.params.importId),
      list: (ctx) => listImportJobs(ctx.db, ctx.auth.tenantId, ctx.query),
    }),
    ...defineHandlers(operations.importMappings, {
      create: (ctx) => saveImportMapping(ctx.db, changeOf(ctx), ctx.body),
      get: (ctx) => getImportMapping(ctx.db, ctx.auth.tenantId, ctx.params.mappingId),
      list: (ctx) => listImportMappings(ctx.db, ctx.auth.tenantId, ctx.query),
      delete: (ctx) => deleteImportMapping(ctx.db, changeOf(ctx), ctx.params.mappingId),
    }),
  };
}
