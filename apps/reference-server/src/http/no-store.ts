/**
 * API answers may hold patient data: `Cache-Control: no-store` keeps them
 * out of shared caches. The header is set before the handler runs, so it
 * goes into the response the handler builds through the context. Set after
 * the handler, it would make Hono copy the finished response and the Node
 * adapter stream the copy out instead of writing it in one call (issue 16).
 * A Response the handler built on its own gets the header afterwards.
 */
import type { MiddlewareHandler } from 'hono';

/**
 * Marks every answer of the routes it is mounted on `no-store`, unless the
 * handler set a `Cache-Control` of its own.
 *
 * @example
 * app.use('/api/*', noStore());
 */
export function noStore(): MiddlewareHandler {
  return async (c, next) => {
    c.header('Cache-Control', 'no-store');
    await next();
    if (!c.res.headers.has('cache-control')) c.header('Cache-Control', 'no-store');
  };
}
