/** Handlers of `exports.*`: snapshots taken within the request. */
import { operations } from '@clinicbridge/sdk/contract';
import { changeOf, defineHandlers } from '../kernel/handlers.ts';
import { createExport, type ExportDeps, getExport, listExports } from './service.ts';

/**
 * Handlers for `exports.*`.
 *
 * @example
 * const handlers = exportHandlers({ storage, linkBase: '', maxRows: 100_000 });
 */
export function exportHandlers(deps: ExportDeps) {
  return defineHandlers(operations.exports, {
    create: (ctx) => createExport(ctx.db, changeOf(ctx), deps, ctx.body),
    get: (ctx) => getExport(ctx.db, ctx.auth.tenantId, ctx.params.exportId, deps.linkBase),
    list: (ctx) => listExports(ctx.db, ctx.auth.tenantId, ctx.query, deps.linkBase),
  });
}
