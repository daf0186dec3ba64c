/**
 * Headers a middleware adds to the answers of the routes it wraps, without
 * making Hono copy them. Set before the handler runs (`c.header`), they go
 * into the response the handler builds through the context, which the Node
 * adapter then writes in one call. Set with `c.header` after the handler, or
 * on `c.res` before it, they make Hono copy the handler's finished response,
 * and the adapter streams the copy out instead (issue 16). A Response the
 * handler built on its own has none of them, so it gets them afterwards
 * (copied, for that one answer).
 */
import type { Context, Next } from 'hono';

/**
 * Runs `next` with the headers of `set` in the answer: set before the
 * handler, and again after it when `isSet` finds the answer without them.
 *
 * @example
 * app.use((c, next) => withAnswerHeaders(c, next, () => c.header('Cache-Control', 'no-store'), (res) => res.headers.has('cache-control')));
 */
export async function withAnswerHeaders(
  c: Context,
  next: Next,
  set: () => void,
  isSet: (answer: Response) => boolean,
): Promise<void> {
  set();
  await next();
  if (!isSet(c.res)) set();
}
