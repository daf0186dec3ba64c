/**
 * Presigned upload as an import source: the partner asks for an upload
 * link (`POST /api/v1/imports/uploads`), PUTs the file straight to the
 * object store (this server's `/storage/objects/…` link, or S3), then
 * starts the import with `objectKey` instead of `content`. Keys are under
 * `imports/<tenant>/`, so a tenant can only import its own uploads; the
 * object's size is checked against `IMPORT_MAX_BYTES` before it is read
 * (an S3 presigned PUT cannot cap what is uploaded), and read with the same
 * bound.
 */
import { randomUUID } from 'node:crypto';
import { collectBytes, isStorageError, type ObjectStorage } from '@clinicbridge/adapters';
import type { Hono } from 'hono';
import type { AppContext } from '../feature.ts';
import { readSection } from '../feature.ts';
import type { AppEnv } from '../http/context.ts';
import { guardDepsOf, guardRequest } from '../http/guard.ts';
import { ApiError } from '../kernel/problem.ts';
import { importsConfig } from './config.ts';

/** How long an upload link works: 15 minutes. */
export const UPLOAD_LINK_SECONDS = 900;

const tenantPrefix = (tenantId: string) => `imports/${tenantId}/`;

/**
 * A presigned PUT for a new import file of the tenant.
 *
 * @example
 * const { objectKey, url, headers } = await presignImportUpload(storage, tenantId, 1_000_000);
 */
export async function presignImportUpload(
  storage: ObjectStorage,
  tenantId: string,
  maxBytes: number,
) {
  const objectKey = `${tenantPrefix(tenantId)}${randomUUID()}`;
  const link = await storage.presignPut(objectKey, {
    expiresInSeconds: UPLOAD_LINK_SECONDS,
    maxBytes,
  });
  return {
    objectKey,
    url: link.url,
    method: link.method,
    headers: link.headers,
    expiresAt: link.expiresAt.toISOString(),
    maxBytes,
  };
}

/**
 * The UTF-8 text of an uploaded import file of the tenant, bounded by `maxBytes`.
 *
 * @example
 * const content = await readUploadedContent(storage, tenantId, 'imports/ten_…/…', 1_000_000);
 */
export async function readUploadedContent(
  storage: ObjectStorage,
  tenantId: string,
  objectKey: string,
  maxBytes: number,
): Promise<string> {
  const missing = () =>
    new ApiError(
      'not_found',
      'No uploaded file under this objectKey; upload it with the link from POST /api/v1/imports/uploads first.',
    );
  if (!objectKey.startsWith(tenantPrefix(tenantId)) || objectKey.includes('..')) throw missing();
  const tooLarge = () =>
    new ApiError(
      'import_too_large',
      `Import content is limited to ${maxBytes} bytes; split the file into several imports.`,
    );
  const object = await storage.get(objectKey);
  if (!object) throw missing();
  if (object.size > maxBytes) throw tooLarge();
  try {
    return new TextDecoder('utf-8', { fatal: false }).decode(
      await collectBytes(object.body, maxBytes),
    );
  } catch (error) {
    if (isStorageError(error) && error.code === 'too_large') throw tooLarge();
    throw error;
  }
}

/**
 * Mounts `POST /api/v1/imports/uploads` (scope `write:imports`).
 *
 * @example
 * mountImportUploads(app, context);
 */
export function mountImportUploads(app: Hono<AppEnv>, context: AppContext): void {
  const deps = guardDepsOf(context);
  const maxBytes = readSection(context.config, importsConfig).IMPORT_MAX_BYTES;
  const template = '/api/v1/imports/uploads';
  app.post(template, async (c) => {
    const auth = await guardRequest(c, deps, 'write:imports');
    const link = await presignImportUpload(context.providers.storage, auth.tenantId, maxBytes);
    return c.json(link, 201, { 'cache-control': 'private, no-store' });
  });
}
