/**
 * Patient documents: upload links for a declared file (type and size
 * checked before a link is issued, signed into the link, and checked again
 * on completion), device references without bytes, short-lived download
 * links for staff, and deletion once a document's retention ends. Every
 * issued link and every completion is audited; audit rows name the
 * document, its case, type and size, never the file name.
 */
import type { ObjectStorage, StoredObject } from '@clinicbridge/adapters';
import {
  type Document,
  documentContentTypes,
  documentMaxBytes,
  type documentOperations,
  newId,
  type OperationBody,
} from '@clinicbridge/sdk/contract';
import type { Kysely } from 'kysely';
import type { DB, Row } from '../db/schema.ts';
import type { ChangeContext } from '../kernel/change.ts';
import { recordAudit } from '../kernel/change.ts';
import { insertOwned, updateOwned } from '../kernel/owned.ts';
import { ApiError } from '../kernel/problem.ts';
import { recordChange } from '../kernel/record-change.ts';
import { requireOwned } from '../kernel/require-owned.ts';
import type { DocumentsConfig } from './config.ts';

/** Lifetime of an upload link, in seconds (15 minutes). */
export const UPLOAD_LINK_SECONDS = 900;

/**
 * What the documents service needs besides the database.
 *
 * @example
 * const deps: DocumentsDeps = { storage: providers.storage, config };
 */
export interface DocumentsDeps {
  storage: ObjectStorage;
  config: DocumentsConfig;
}

/**
 * A presigned request as the API answers it.
 *
 * @example
 * const link: LinkBody = { method: 'GET', url, headers: {}, expiresAt: '2026-12-07T10:05:00.000Z' };
 */
export interface LinkBody {
  method: 'PUT' | 'GET';
  url: string;
  headers: Record<string, string>;
  expiresAt: string;
}

const ENTITY = 'document';

function toDocument(row: Row<'documents'>): Document {
  return {
    id: row.id as Document['id'],
    caseId: row.case_id,
    fileName: row.file_name,
    status: row.status,
    contentType: row.content_type,
    size: Number(row.size),
    sha256: row.sha256,
    source: row.source,
    reference: row.reference,
    metadata: JSON.parse(row.metadata) as Record<string, string>,
    expiresAt: row.expires_at.toISOString(),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function checkType(contentType: string): void {
  if (!(documentContentTypes as readonly string[]).includes(contentType)) {
    throw new ApiError(
      'document_wrong_type',
      `Documents of this type are not accepted; send one of ${documentContentTypes.join(', ')}.`,
    );
  }
}

function checkSize(size: number): void {
  if (size > documentMaxBytes) {
    throw new ApiError(
      'document_too_large',
      `A document may be at most ${documentMaxBytes} bytes; send a smaller file.`,
    );
  }
}

/**
 * Records a pending document and answers its upload link: a PUT for
 * `docs/{tenant}/{caseId}/{id}-{file}`, 15 minutes, with the declared type
 * and size signed in (and server-side encryption on S3).
 *
 * @example
 * const { document, upload } = await presignDocument(trx, change, deps, { caseId, fileName, contentType, size });
 */
export async function presignDocument(
  db: Kysely<DB>,
  change: ChangeContext,
  deps: DocumentsDeps,
  body: OperationBody<typeof documentOperations.presign>,
): Promise<{ document: Document; upload: LinkBody }> {
  checkType(body.contentType);
  checkSize(body.size);
  const id = newId('doc');
  const key = `docs/${change.tenantId}/${body.caseId}/${id}-${body.fileName}`;
  const link = await deps.storage.presignPut(key, {
    expiresInSeconds: UPLOAD_LINK_SECONDS,
    contentType: body.contentType,
    contentLength: body.size,
  });
  const row = {
    id,
    tenant_id: change.tenantId,
    case_id: body.caseId,
    file_name: body.fileName,
    status: 'pending' as const,
    source: 'upload' as const,
    storage_key: key,
    reference: null,
    content_type: body.contentType,
    size: body.size,
    sha256: null,
    metadata: '{}',
    expires_at: new Date(change.now.getTime() + deps.config.DOCUMENTS_RETENTION),
    created_at: change.now,
    updated_at: change.now,
  };
  await insertOwned(db, 'documents', row);
  await recordChange(db, change, {
    action: 'document.upload_link_issued',
    entityType: ENTITY,
    entityId: id,
    audit: {
      caseId: body.caseId,
      contentType: body.contentType,
      size: body.size,
      linkExpiresAt: link.expiresAt.toISOString(),
    },
  });
  return {
    document: toDocument(row),
    upload: {
      method: 'PUT',
      url: link.url,
      headers: link.headers,
      expiresAt: link.expiresAt.toISOString(),
    },
  };
}

/**
 * Checks what was uploaded for a pending document (present, no larger than
 * declared or allowed, of the declared type) and makes it `available`; a
 * file that fails the check is deleted. Completing an available document
 * again answers it unchanged.
 *
 * @example
 * const document = await completeDocument(trx, change, deps, 'doc_…');
 */
export async function completeDocument(
  db: Kysely<DB>,
  change: ChangeContext,
  deps: DocumentsDeps,
  documentId: string,
): Promise<Document> {
  const row = await requireOwned(db, 'documents', change.tenantId, documentId, { lock: true });
  if (row.status === 'available') return toDocument(row);
  if (row.status !== 'pending' || !row.storage_key) {
    throw new ApiError('invalid_state_transition', `A ${row.status} document cannot be completed.`);
  }
  const stored: StoredObject | undefined = await deps.storage.head(row.storage_key);
  if (!stored) {
    throw new ApiError(
      'invalid_state_transition',
      'Nothing was uploaded for this document yet; upload the file to its link first.',
    );
  }
  if (stored.size > Number(row.size) || stored.size > documentMaxBytes) {
    await deps.storage.delete(row.storage_key);
    throw new ApiError(
      'document_too_large',
      'The uploaded file is larger than declared; it was deleted. Ask for a new link.',
    );
  }
  if (stored.contentType !== row.content_type) {
    await deps.storage.delete(row.storage_key);
    throw new ApiError(
      'document_wrong_type',
      'The uploaded file is not of the declared type; it was deleted. Ask for a new link.',
    );
  }
  const set = {
    status: 'available' as const,
    size: stored.size,
    sha256: stored.sha256 ?? null,
    updated_at: change.now,
  };
  await updateOwned(db, 'documents', change.tenantId, documentId, set);
  await recordChange(db, change, {
    action: 'document.uploaded',
    entityType: ENTITY,
    entityId: documentId,
    audit: { caseId: row.case_id, contentType: row.content_type, size: stored.size },
  });
  return toDocument({ ...row, ...set });
}

/**
 * A short-lived GET link to an available document, for staff.
 *
 * @example
 * const link = await issueDownloadLink(trx, change, deps, 'doc_…');
 */
export async function issueDownloadLink(
  db: Kysely<DB>,
  change: ChangeContext,
  deps: DocumentsDeps,
  documentId: string,
): Promise<LinkBody> {
  const row = await requireOwned(db, 'documents', change.tenantId, documentId);
  if (row.status !== 'available' || !row.storage_key) {
    throw new ApiError(
      'invalid_state_transition',
      `A ${row.status} document has no file to download.`,
    );
  }
  const link = await deps.storage.presignGet(row.storage_key, {
    expiresInSeconds: Math.floor(deps.config.DOCUMENTS_LINK_TTL / 1000),
    downloadName: row.file_name,
  });
  await recordChange(db, change, {
    action: 'document.download_link_issued',
    entityType: ENTITY,
    entityId: documentId,
    audit: { caseId: row.case_id, linkExpiresAt: link.expiresAt.toISOString() },
  });
  return {
    method: 'GET',
    url: link.url,
    headers: link.headers,
    expiresAt: link.expiresAt.toISOString(),
  };
}

/**
 * Records a device's file reference and metadata (no bytes).
 *
 * @example
 * const document = await registerReference(trx, change, deps, { caseId, fileName, reference, contentType });
 */
export async function registerReference(
  db: Kysely<DB>,
  change: ChangeContext,
  deps: DocumentsDeps,
  body: OperationBody<typeof documentOperations.registerReference>,
): Promise<Document> {
  const row = {
    id: newId('doc'),
    tenant_id: change.tenantId,
    case_id: body.caseId,
    file_name: body.fileName,
    status: 'reference' as const,
    source: 'device' as const,
    storage_key: null,
    reference: body.reference,
    content_type: body.contentType,
    size: 0,
    sha256: null,
    metadata: JSON.stringify(body.metadata ?? {}),
    expires_at: new Date(change.now.getTime() + deps.config.DOCUMENTS_RETENTION),
    created_at: change.now,
    updated_at: change.now,
  };
  await insertOwned(db, 'documents', row);
  await recordChange(db, change, {
    action: 'document.reference_registered',
    entityType: ENTITY,
    entityId: row.id,
    audit: { caseId: body.caseId, contentType: body.contentType },
  });
  return toDocument(row);
}

/**
 * A document of the tenant.
 *
 * @example
 * const document = await getDocument(db, tenantId, 'doc_…');
 */
export async function getDocument(
  db: Kysely<DB>,
  tenantId: string,
  documentId: string,
): Promise<Document> {
  return toDocument(await requireOwned(db, 'documents', tenantId, documentId));
}

const EXPIRY_BATCH = 100;

/**
 * The expiry job: deletes the file of every document past `expires_at`
 * (pending uploads included) and marks it `expired`, with an audit row.
 * The file goes first, so a crash between the two leaves a document still
 * due, and the next pass deletes (an absent file is not an error) and marks it.
 *
 * @example
 * const job: BusJob = (now) => expireDocuments(db, storage, now);
 */
export async function expireDocuments(
  db: Kysely<DB>,
  storage: ObjectStorage,
  now: Date,
): Promise<number> {
  const due = await db
    .selectFrom('documents')
    .select(['id', 'tenant_id', 'storage_key', 'case_id'])
    .where('status', '!=', 'expired')
    .where('expires_at', '<=', now)
    .orderBy('expires_at')
    .limit(EXPIRY_BATCH)
    .execute();
  for (const row of due) {
    if (row.storage_key) await storage.delete(row.storage_key);
    await db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable('documents')
        .set({ status: 'expired', updated_at: now })
        .where('id', '=', row.id)
        .where('status', '!=', 'expired')
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) return;
      await recordAudit(trx, {
        tenantId: row.tenant_id,
        actor: { type: 'system', id: 'document-expiry' },
        action: 'document.expired',
        entityType: ENTITY,
        entityId: row.id,
        metadata: { caseId: row.case_id },
        occurredAt: now,
      });
    });
  }
  return due.length;
}
