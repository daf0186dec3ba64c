/**
 * `/openapi.json` (generated once per app from the contract) and `/docs`,
 * an interactive reference page that renders it.
 */
import type { Hono } from 'hono';
import type { AppEnv } from '../http/context.ts';
import { buildOpenApiDocument } from './document.ts';

// The reference UI is loaded from a pinned CDN version; the document itself is served locally.
const docsPage = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>ClinicBridge API reference</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body>
<script id="api-reference" data-url="/openapi.json"></script>
<script src="https://cdn.jsdelivr.net/npm/@scalar/api-reference@1.25.0"></script>
<noscript>The interactive reference needs JavaScript; the raw document is at <a href="/openapi.json">/openapi.json</a>.</noscript>
</body>
</html>`;

/**
 * Mounts `/openapi.json` and `/docs`.
 *
 * @example
 * mountOpenApiRoutes(app, { serverUrl: 'http://localhost:8080' });
 */
export function mountOpenApiRoutes(app: Hono<AppEnv>, options: { serverUrl: string }): void {
  let document: string | undefined;
  app.get('/openapi.json', (c) => {
    c.set('routeTemplate', '/openapi.json');
    document ??= JSON.stringify(buildOpenApiDocument(options.serverUrl));
    return c.body(document, 200, { 'Content-Type': 'application/json' });
  });
  app.get('/docs', (c) => {
    c.set('routeTemplate', '/docs');
    return c.html(docsPage);
  });
}
