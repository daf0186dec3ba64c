/**
 * API answers may hold patient data: `Cache-Control: no-store` keeps them
 * out of shared caches. The header goes in before the handler runs, so the
 * answer is not copied (./answer-headers.ts).
 */
import type { MiddlewareHandler } from 'hono';
import { withAnswerHeaders } from './answer-headers.ts';

/**
 * Marks every answer of the routes it is mounted on `no-store`, unless the
 * handler set a `Cache-Control` of its own.
 *
 * @example
 * app.use('/api/*', noStore());
 */
export function noStore(): MiddlewareHandler {
  return (c, next) =>
    withAnswerHeaders(
      c,
      next,
      () => c.header('Cache-Control', 'no-store'),
      (answer) => answer.headers.has('cache-control'),
    );
}
