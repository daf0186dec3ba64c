/**
 * Patient documents in the fake API. The fake keeps no bytes and serves no
 * upload link: `documents.presign` answers a link on a fake origin with the
 * server's limits (allowed types, 25 MiB, 15 minutes), and `complete`
 * answers 409 as the server does when nothing was uploaded. Tests move a
 * document on by updating `api.state.tenant(id).documents`.
 */
import {
  type Document,
  documentContentTypes,
  documentMaxBytes,
  documentOperations,
  newId,
} from '../../../contract/index.ts';
import { type BoundHandler, defineHandler } from '../context.ts';
import { findOr404 } from '../lookup.ts';
import { ApiProblem } from '../problem.ts';

const FAKE_STORAGE_ORIGIN = 'https://storage.fake-api.test';
const RETENTION_MS = 180 * 86_400_000;
const UPLOAD_SECONDS = 900;
const LINK_SECONDS = 300;

const later = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

function checkType(contentType: string): void {
  if (!(documentContentTypes as readonly string[]).includes(contentType)) {
    throw new ApiProblem(
      'document_wrong_type',
      `Documents of type ${contentType.slice(0, 100)} are not accepted; send one of ${documentContentTypes.join(', ')}.`,
    );
  }
}

/**
 * Handlers of the document operations.
 *
 * @example
 * const byId = new Map(documentHandlers.map((h) => [h.op.id, h]));
 */
export const documentHandlers: BoundHandler[] = [
  defineHandler(documentOperations.presign, (ctx) => {
    const b = ctx.body;
    checkType(b.contentType);
    if (b.size > documentMaxBytes) {
      throw new ApiProblem(
        'document_too_large',
        `A document may be at most ${documentMaxBytes} bytes.`,
      );
    }
    const id = newId('doc');
    const document: Document = {
      id,
      caseId: b.caseId,
      fileName: b.fileName,
      status: 'pending',
      contentType: b.contentType,
      size: b.size,
      sha256: null,
      source: 'upload',
      reference: null,
      metadata: {},
      expiresAt: later(ctx.now, RETENTION_MS),
      createdAt: ctx.now,
      updatedAt: ctx.now,
    };
    ctx.tenant.documents.insert(document);
    return {
      body: {
        document,
        upload: {
          method: 'PUT' as const,
          url: `${FAKE_STORAGE_ORIGIN}/docs/${ctx.tenant.id}/${b.caseId}/${id}-${b.fileName}?signature=fake`,
          headers: { 'content-type': b.contentType },
          expiresAt: later(ctx.now, UPLOAD_SECONDS * 1000),
        },
      },
    };
  }),
  defineHandler(documentOperations.complete, (ctx) => {
    const document = findOr404(ctx.tenant.documents, ctx.params.documentId, 'document');
    if (document.status === 'available') return { body: document };
    throw new ApiProblem(
      'invalid_state_transition',
      document.status === 'pending'
        ? 'Nothing was uploaded for this document yet; upload the file to its link first.'
        : `A ${document.status} document cannot be completed.`,
    );
  }),
  defineHandler(documentOperations.downloadLink, (ctx) => {
    const document = findOr404(ctx.tenant.documents, ctx.params.documentId, 'document');
    if (document.status !== 'available') {
      throw new ApiProblem(
        'invalid_state_transition',
        `A ${document.status} document has no file to download.`,
      );
    }
    return {
      body: {
        method: 'GET' as const,
        url: `${FAKE_STORAGE_ORIGIN}/docs/${ctx.tenant.id}/${document.caseId}/${document.id}?signature=fake`,
        headers: {},
        expiresAt: later(ctx.now, LINK_SECONDS * 1000),
      },
    };
  }),
  defineHandler(documentOperations.registerReference, (ctx) => {
    const b = ctx.body;
    const document: Document = {
      id: newId('doc'),
      caseId: b.caseId,
      fileName: b.fileName,
      status: 'reference',
      contentType: b.contentType,
      size: 0,
      sha256: null,
      source: 'device',
      reference: b.reference,
      metadata: b.metadata ?? {},
      expiresAt: later(ctx.now, RETENTION_MS),
      createdAt: ctx.now,
      updatedAt: ctx.now,
    };
    return { body: ctx.tenant.documents.insert(document) };
  }),
  defineHandler(documentOperations.get, (ctx) => ({
    body: findOr404(ctx.tenant.documents, ctx.params.documentId, 'document'),
  })),
];
