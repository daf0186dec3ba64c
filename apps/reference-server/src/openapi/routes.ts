/**
 * `/openapi.json` (generated once per app from the contract) and `/docs`,
 * an interactive reference page that renders it with a viewer the server
 * serves itself (viewer.ts), so the page works offline.
 */
import type { Hono } from 'hono';
import type { AppEnv } from '../http/context.ts';
import { buildOpenApiDocument } from './document.ts';
import { docsPage, loadViewerBundle, VIEWER_ASSET_PREFIX } from './viewer.ts';

/**
 * Mounts `/openapi.json`, `/docs` and the viewer bundle under `/docs/assets/`.
 *
 * @example
 * mountOpenApiRoutes(app, { serverUrl: config.PUBLIC_URL }); // undefined: the server is `/`
 */
export function mountOpenApiRoutes(
  app: Hono<AppEnv>,
  options: { serverUrl?: string | undefined },
): void {
  let document: string | undefined;
  app.get('/openapi.json', (c) => {
    document ??= JSON.stringify(buildOpenApiDocument(options.serverUrl));
    return c.body(document, 200, { 'Content-Type': 'application/json' });
  });
  app.get('/docs', async (c) => {
    return c.html(docsPage(await loadViewerBundle()));
  });
  app.get(`${VIEWER_ASSET_PREFIX}:file`, async (c, next) => {
    const bundle = await loadViewerBundle();
    // Only the current hash exists: an old page's URL gets the usual 404.
    if (c.req.path !== bundle.path) return next();
    return c.body(bundle.bytes, 200, {
      'Content-Type': 'text/javascript; charset=utf-8',
      // The name changes with the bytes, so the file never goes stale.
      'Cache-Control': 'public, max-age=31536000, immutable',
    });
  });
}
