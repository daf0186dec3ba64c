/** Handlers of `documents.*`. */
import { operations } from '@clinicbridge/sdk/contract';
import { changeOf, defineHandlers } from '../kernel/handlers.ts';
import {
  completeDocument,
  type DocumentsDeps,
  getDocument,
  issueDownloadLink,
  presignDocument,
  registerReference,
} from './service.ts';

/**
 * Handlers for `documents.*`; `deps` is read on first use (the providers are built by then).
 *
 * @example
 * const handlers = documentHandlers(() => ({ storage: providers.storage, config }));
 */
export function documentHandlers(deps: () => DocumentsDeps) {
  return defineHandlers(operations.documents, {
    presign: (ctx) => presignDocument(ctx.db, changeOf(ctx), deps(), ctx.body),
    complete: (ctx) => completeDocument(ctx.db, changeOf(ctx), deps(), ctx.params.documentId),
    downloadLink: (ctx) => issueDownloadLink(ctx.db, changeOf(ctx), deps(), ctx.params.documentId),
    registerReference: (ctx) => registerReference(ctx.db, changeOf(ctx), deps(), ctx.body),
    get: (ctx) => getDocument(ctx.db, ctx.auth.tenantId, ctx.params.documentId),
  });
}
