/**
 * `GET /api/v1/exports/{exportId}/download`: the snapshot's bytes, with the
 * same credentials and the `read:exports` scope, each download audited.
 * `ETag` and `Digest`-style `Repr-Digest` carry the SHA-256.
 * `POST /api/v1/exports/{exportId}/link`: a signed link to the same bytes
 * that works without credentials for 15 minutes, its issue audited.
 */
import type { Hono } from 'hono';
import type { AppContext } from '../feature.ts';
import type { AppEnv } from '../http/context.ts';
import { guardDepsOf, guardRequest } from '../http/guard.ts';
import { honoPath } from '../http/operations.ts';
import { contentTypeOf } from './formats.ts';
import { downloadExport, exportDownloadPath, linkExport } from './service.ts';

/**
 * Mounts the download route.
 *
 * @example
 * mountExportDownload(app, context);
 */
export function mountExportDownload(app: Hono<AppEnv>, context: AppContext): void {
  const deps = guardDepsOf(context);
  const template = honoPath(exportDownloadPath('{exportId}'));
  const linkTemplate = honoPath('/api/v1/exports/{exportId}/link');
  app.post(linkTemplate, async (c) => {
    const auth = await guardRequest(c, deps, 'read:exports');
    const link = await linkExport(
      context.db,
      context.providers.storage,
      {
        tenantId: auth.tenantId,
        actor: auth.actor,
        requestId: c.get('requestId'),
        now: context.now(),
      },
      c.req.param('exportId') ?? '',
    );
    return c.json(link, 200, { 'cache-control': 'private, no-store' });
  });
  app.get(template, async (c) => {
    const auth = await guardRequest(c, deps, 'read:exports');
    const { bytes, row } = await downloadExport(
      context.db,
      context.providers.storage,
      {
        tenantId: auth.tenantId,
        actor: auth.actor,
        requestId: c.get('requestId'),
        now: context.now(),
      },
      c.req.param('exportId') ?? '',
    );
    const hash = Buffer.from(row.sha256, 'hex').toString('base64');
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      'content-type': contentTypeOf(row.format),
      'content-disposition': `attachment; filename="${row.kind}-${row.id}.${row.format}"`,
      etag: `"${row.sha256}"`,
      'repr-digest': `sha-256=:${hash}:`,
      'cache-control': 'private, no-store',
    });
  });
}
