/**
 * CORS for browser clients of the API: `CORS_ORIGINS` lists the exact
 * origins (`https://app.clinic.example`) whose pages may call `/api/v1`,
 * `/oauth/token` and read `/openapi.json`. Hono's cors middleware answers
 * the preflight and sets the headers, but only for an allowed origin: any
 * other origin gets no CORS header at all (Hono's would still name the
 * methods and headers), so its browser refuses the response. No credentials
 * mode: the API authenticates with bearer tokens, never cookies.
 */
import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import type { AppEnv } from '../context.ts';

/** Methods of the contract's operations. */
export const CORS_ALLOW_METHODS = ['GET', 'POST', 'PATCH', 'DELETE'] as const;

/** Request headers the SDK and the API use. */
export const CORS_ALLOW_HEADERS = [
  'Authorization',
  'Content-Type',
  'Idempotency-Key',
  'traceparent',
  'X-Request-Id',
] as const;

/** Response headers a browser client needs to read (the CORS-safelisted ones are always readable). */
export const CORS_EXPOSE_HEADERS = [
  'Idempotency-Replayed',
  'RateLimit',
  'RateLimit-Policy',
  'Retry-After',
  'X-Request-Id',
] as const;

/** How long a browser may reuse a preflight answer, in seconds. */
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/**
 * The CORS middleware for a list of allowed origins; a no-op for none.
 *
 * @example
 * app.use('/api/*', corsFor(['https://app.clinic.example']));
 */
export function corsFor(origins: readonly string[]): MiddlewareHandler<AppEnv> {
  if (origins.length === 0) return (_c, next) => next();
  const allowed = new Set(origins);
  const allow = cors({
    origin: [...allowed],
    allowMethods: [...CORS_ALLOW_METHODS],
    allowHeaders: [...CORS_ALLOW_HEADERS],
    exposeHeaders: [...CORS_EXPOSE_HEADERS],
    maxAge: PREFLIGHT_MAX_AGE_SECONDS,
  });
  return async (c, next) => {
    const origin = c.req.header('Origin');
    if (origin !== undefined && allowed.has(origin)) {
      if (c.req.method === 'OPTIONS') c.set('routeTemplate', 'cors-preflight');
      return allow(c, next);
    }
    // The answer depends on Origin, so a shared cache must not give it to an allowed one.
    // Set before the handler, it goes into the answer the handler builds, which is then
    // not copied (../no-store.ts says why that matters); a Response built by hand gets it after.
    c.header('Vary', 'Origin', { append: true });
    await next();
    if (!/\borigin\b/i.test(c.res.headers.get('vary') ?? '')) {
      c.header('Vary', 'Origin', { append: true });
    }
  };
}
