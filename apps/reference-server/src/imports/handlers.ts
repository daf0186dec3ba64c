/** Handlers of `imports.*`: synchronous within the configured limits. */
import { operations } from '@clinicbridge/sdk/contract';
import { changeOf, defineHandlers } from '../kernel/handlers.ts';
import type { ImportsConfig } from './config.ts';
import { getImportJob, importFile, listImportJobs } from './service.ts';

/**
 * Handlers for `imports.*` under `limits`.
 *
 * @example
 * const handlers = importHandlers(importsConfig.parse({}));
 */
export function importHandlers(limits: ImportsConfig) {
  return defineHandlers(operations.imports, {
    create: (ctx) => importFile(ctx.db, changeOf(ctx), ctx.body, limits),
    get: (ctx) => getImportJob(ctx.db, ctx.auth.tenantId, ctx.params.importId),
    list: (ctx) => listImportJobs(ctx.db, ctx.auth.tenantId, ctx.query),
  });
}
