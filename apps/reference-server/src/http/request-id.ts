/**
 * Request ids: a caller's `X-Request-Id` is kept when it is short and
 * printable (so a partner can correlate), otherwise a new `req_…` id is
 * made. The id goes back in the response header, every log line and every
 * problem body.
 */
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './context.ts';

const ACCEPTABLE = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Sets `c.var.requestId` and the `X-Request-Id` response header.
 *
 * @example
 * app.use(requestId());
 */
export function requestId(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const incoming = c.req.header('x-request-id');
    const id = incoming && ACCEPTABLE.test(incoming) ? incoming : `req_${crypto.randomUUID()}`;
    c.set('requestId', id);
    c.header('X-Request-Id', id);
    await next();
  };
}
