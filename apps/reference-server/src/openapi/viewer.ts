/**
 * The API reference viewer (Scalar's standalone browser bundle from the
 * `@scalar/api-reference` npm package), served by the server itself so
 * `/docs` works without internet and without trusting a CDN. The bundle's
 * URL carries a hash of its bytes, so it is cached for a year and a new
 * version is a new URL; the page also pins it with Subresource Integrity.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The bundle, read once, with its content-addressed path and SRI value.
 *
 * @example
 * const { path, integrity } = await loadViewerBundle();
 * `<script src="${path}" integrity="${integrity}"></script>`;
 */
export interface ViewerBundle {
  /** `/docs/assets/api-reference.<hash>.js` */
  readonly path: string;
  /** `sha384-…`, for the `integrity` attribute. */
  readonly integrity: string;
  readonly bytes: Uint8Array<ArrayBuffer>;
}

/** Prefix of the bundle's URL; the file name follows it. */
export const VIEWER_ASSET_PREFIX = '/docs/assets/';

// The package exports no subpath for its browser build; its exported stylesheet sits in the same dist/.
function bundleFile(): string {
  const styleSheet = fileURLToPath(import.meta.resolve('@scalar/api-reference/style.css'));
  return join(dirname(styleSheet), 'browser', 'standalone.js');
}

let loading: Promise<ViewerBundle> | undefined;

/**
 * Reads the viewer bundle from node_modules (once per process).
 *
 * @example
 * const bundle = await loadViewerBundle();
 * bundle.path; // '/docs/assets/api-reference.3f1c…9a.js'
 */
export function loadViewerBundle(): Promise<ViewerBundle> {
  loading ??= readFile(bundleFile()).then((buffer) => {
    const bytes = new Uint8Array(
      buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength),
    );
    const hex = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
    return {
      path: `${VIEWER_ASSET_PREFIX}api-reference.${hex}.js`,
      integrity: `sha384-${createHash('sha384').update(bytes).digest('base64')}`,
      bytes,
    };
  });
  // A failed read (a broken install) is retried on the next request rather than kept.
  loading.catch(() => {
    loading = undefined;
  });
  return loading;
}

/**
 * The `/docs` page for a bundle: the viewer renders `/openapi.json`, with
 * its telemetry, hosted AI chat and developer toolbar off (they reach
 * the vendor's servers, which a clinic network may not). The bundle's own
 * stylesheet still names the vendor's web fonts; offline, the browser falls
 * back to system fonts.
 *
 * @example
 * c.html(docsPage(await loadViewerBundle()));
 */
export function docsPage(bundle: Pick<ViewerBundle, 'path' | 'integrity'>): string {
  const configuration = {
    url: '/openapi.json',
    withDefaultFonts: false,
    telemetry: false,
    showDeveloperTools: 'never',
    agent: { disabled: true },
  };
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>ClinicBridge API reference</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body>
<div id="api-reference"></div>
<noscript>The interactive reference needs JavaScript; the raw document is at <a href="/openapi.json">/openapi.json</a>.</noscript>
<script src="${bundle.path}" integrity="${bundle.integrity}"></script>
<script>Scalar.createApiReference('#api-reference', ${JSON.stringify(configuration)});</script>
</body>
</html>`;
}
