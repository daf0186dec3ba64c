/**
 * Patient documents for a case. The bytes never pass through the API: a
 * document starts with `documents.presign`, which answers a presigned
 * upload link (15 minutes; the declared size and content type are part of
 * the signature) for the key `docs/{tenant}/{caseId}/{file}`; the uploader
 * sends the file there, then `documents.complete` checks what arrived
 * (size and type again) and makes it `available`. Staff read a document
 * through a short-lived link from `documents.downloadLink`. Imaging devices
 * register references and metadata only (`documents.registerReference`).
 * Every document is deleted 180 days after it was created; every presign,
 * completion and link is in the audit log.
 */
import * as z from 'zod/mini';
import { timestamp } from '../common.ts';
import { idSchema } from '../ids.ts';
import { defineOperation } from '../operation.ts';

/**
 * Content types a patient may upload.
 *
 * @example
 * documentContentTypes.includes('application/pdf'); // true
 */
export const documentContentTypes = [
  'application/pdf',
  'image/jpeg',
  'image/png',
  'application/dicom',
] as const;

/**
 * The largest document a patient may upload, in bytes (25 MiB).
 *
 * @example
 * if (file.size > documentMaxBytes) warn();
 */
export const documentMaxBytes = 26_214_400;

/**
 * Where a document stands: `pending` (upload link issued, not completed),
 * `available` (uploaded and checked), `reference` (a device's file
 * reference; the bytes stay on the device's archive), `expired` (deleted
 * after its retention).
 *
 * @example
 * documentStatus.parse('available');
 */
export const documentStatus = z.enum(['pending', 'available', 'reference', 'expired']);

/** @example const status: DocumentStatus = 'available'; */
export type DocumentStatus = z.infer<typeof documentStatus>;

const caseId = z
  .string()
  .check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be an opaque case reference'));
const fileName = z
  .string()
  .check(
    z.regex(
      /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/,
      'must be letters, digits, ".", "_" or "-" (at most 100), starting with a letter or digit',
    ),
  );

/**
 * A document: its metadata, never its bytes.
 *
 * @example
 * const d = document.parse(await res.json());
 */
export const document = z.object({
  id: idSchema('doc'),
  caseId: z.string(),
  fileName: z.string(),
  status: documentStatus,
  contentType: z.string(),
  /** Declared at presign; the stored size once available. */
  size: z.int(),
  /** Hex SHA-256 of the stored bytes, once available. */
  sha256: z.nullable(z.string()),
  /** `upload` (patient, by presigned link) or `device` (a reference pushed by a device). */
  source: z.enum(['upload', 'device']),
  /** A device's reference (e.g. a DICOM study instance UID) for `device` documents. */
  reference: z.nullable(z.string()),
  metadata: z.record(z.string(), z.string()),
  /** When the document is deleted. */
  expiresAt: timestamp,
  createdAt: timestamp,
  updatedAt: timestamp,
});

/**
 * A presigned request: the method, URL and headers to send, until `expiresAt`.
 *
 * @example
 * await fetch(link.url, { method: link.method, headers: link.headers, body: file });
 */
export const presignedLink = z.object({
  method: z.enum(['PUT', 'GET']),
  url: z.string(),
  headers: z.record(z.string(), z.string()),
  expiresAt: timestamp,
});

const documentParams = z.strictObject({ documentId: idSchema('doc') });

/**
 * Ask for an upload link for a patient document (`documents.presign`).
 *
 * @example
 * const { document, upload } = await client.documents.presign({ caseId: 'case_1', fileName: 'scan.pdf', contentType: 'application/pdf', size: 52_000 });
 */
export const documentsPresign = defineOperation({
  id: 'documents.presign',
  method: 'POST',
  path: '/api/v1/documents/presign',
  summary: 'Ask for a presigned upload link for a patient document',
  scope: 'write:documents',
  write: true,
  status: 201,
  body: z.strictObject({
    caseId,
    fileName,
    /** Checked against the allowed types (415 `document_wrong_type`). */
    contentType: z.string().check(z.minLength(1), z.maxLength(100)),
    /** The file's size in bytes (413 `document_too_large` past the limit). */
    size: z.int().check(z.gte(1)),
  }),
  response: z.object({ document, upload: presignedLink }),
});

/**
 * Confirm an upload (`documents.complete`): the stored object is checked
 * again (size, type) and the document becomes `available`.
 *
 * @example
 * await client.documents.complete({ documentId }, {});
 */
export const documentsComplete = defineOperation({
  id: 'documents.complete',
  method: 'POST',
  path: '/api/v1/documents/{documentId}/complete',
  summary: 'Confirm the upload of a document',
  scope: 'write:documents',
  write: true,
  status: 200,
  params: documentParams,
  body: z.strictObject({}),
  response: document,
});

/**
 * A short-lived download link for staff (`documents.downloadLink`); each
 * link issued is an audit row.
 *
 * @example
 * const link = await client.documents.downloadLink({ documentId });
 */
export const documentsDownloadLink = defineOperation({
  id: 'documents.downloadLink',
  method: 'GET',
  path: '/api/v1/documents/{documentId}/download-link',
  summary: 'Issue a short-lived download link for a document',
  scope: 'read:documents',
  write: false,
  status: 200,
  params: documentParams,
  response: presignedLink,
});

/**
 * Register a device's file reference with its metadata (`documents.registerReference`):
 * no bytes are taken.
 *
 * @example
 * await client.documents.registerReference({ caseId: 'case_1', fileName: 'ct-chest', reference: '1.2.840.1', contentType: 'application/dicom', metadata: { modality: 'CT' } });
 */
export const documentsRegisterReference = defineOperation({
  id: 'documents.registerReference',
  method: 'POST',
  path: '/api/v1/documents/references',
  summary: "Register a device's file reference and metadata",
  scope: 'write:documents',
  write: true,
  status: 201,
  body: z.strictObject({
    caseId,
    fileName,
    /** The device's reference (e.g. a DICOM study instance UID). */
    reference: z.string().check(z.regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be a file reference')),
    contentType: z.string().check(z.minLength(1), z.maxLength(100)),
    /** Small non-personal metadata: at most 20 entries of at most 200 characters. */
    metadata: z.optional(
      z
        .record(
          z.string().check(z.regex(/^[A-Za-z0-9_-]{1,40}$/)),
          z.string().check(z.maxLength(200)),
        )
        .check(z.refine((m) => Object.keys(m).length <= 20, 'at most 20 entries')),
    ),
  }),
  response: document,
});

/**
 * Get a document's metadata (`documents.get`).
 *
 * @example
 * const d = await client.documents.get({ documentId });
 */
export const documentsGet = defineOperation({
  id: 'documents.get',
  method: 'GET',
  path: '/api/v1/documents/{documentId}',
  summary: "Get a document's metadata",
  scope: 'read:documents',
  write: false,
  status: 200,
  params: documentParams,
  response: document,
});

/**
 * Operations on documents.
 *
 * @example
 * documentOperations.presign.path; // '/api/v1/documents/presign'
 */
export const documentOperations = {
  presign: documentsPresign,
  complete: documentsComplete,
  downloadLink: documentsDownloadLink,
  registerReference: documentsRegisterReference,
  get: documentsGet,
} as const;
