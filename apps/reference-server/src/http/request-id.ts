/**
 * Request ids: a caller's `X-Request-Id` is kept when it is short and
 * printable (so a partner can correlate), otherwise a new `req_…` id is
 * made. The id goes back in the response header, every log line and every
 * problem body.
 */
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './context.ts';

/**
 * A request id the server keeps from the caller (and the shape of every id it sends back).
 *
 * @example
 * REQUEST_ID_PATTERN.test('req_1'); // true
 */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Sets `c.var.requestId` and the `X-Request-Id` response header.
 *
 * @example
 * app.use(requestId());
 */
export function requestId(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const incoming = c.req.header('x-request-id');
    const id =
      incoming && REQUEST_ID_PATTERN.test(incoming) ? incoming : `req_${crypto.randomUUID()}`;
    c.set('requestId', id);
    c.header('X-Request-Id', id);
    await next();
  };
}
