/**
 * `GET|PUT /storage/objects/<key>`: the filesystem store's presigned links,
 * served by this server. The link's signature is the only credential; a
 * refused link is problem+json (`link_expired`, `link_invalid`,
 * `body_too_large`, `not_found`). With S3 configured the links point at S3
 * and this route answers 404.
 */
import { isStorageError } from '@clinicbridge/adapters';
import type { Hono } from 'hono';
import type { AppEnv } from '../http/context.ts';
import { ApiError } from '../kernel/problem.ts';

/**
 * Mounts the link route when the store serves its own links.
 *
 * @example
 * mountStorageRoutes(app, context.providers.serveStorageLink);
 */
export function mountStorageRoutes(
  app: Hono<AppEnv>,
  serve: ((request: Request) => Promise<Response>) | undefined,
): void {
  app.on(['GET', 'PUT'], '/storage/objects/*', async (c) => {
    if (!serve) throw new ApiError('not_found', 'Files are served by the object store directly.');
    try {
      return await serve(c.req.raw);
    } catch (error) {
      if (!isStorageError(error)) throw error;
      switch (error.code) {
        case 'expired':
          throw new ApiError('link_expired', 'The link has expired; ask for a new one.');
        case 'too_large':
          throw new ApiError('body_too_large', 'The file is larger than the link allows.');
        case 'not_found':
          throw new ApiError('not_found', 'No file is stored under this link.');
        default:
          throw new ApiError(
            'link_invalid',
            'The link is not valid for this request; ask for a new one.',
          );
      }
    }
  });
}
