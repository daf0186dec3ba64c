/**
 * CORS for browser clients of the API: `CORS_ORIGINS` lists the exact
 * origins (`https://app.clinic.example`) whose pages may call `/api/v1`,
 * `/oauth/token` and read `/openapi.json`. Hono's cors middleware answers
 * the preflight of an allowed origin; the headers of actual answers are set
 * here, before the handler runs (Hono's sets them on the context's response
 * first, which makes Hono copy the handler's answer: ../answer-headers.ts). Any
 * other origin gets no CORS header at all (Hono's would still name the
 * methods and headers), so its browser refuses the response. No credentials
 * mode: the API authenticates with bearer tokens, never cookies.
 */
import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { withAnswerHeaders } from '../answer-headers.ts';
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
  const preflight = cors({
    origin: [...allowed],
    allowMethods: [...CORS_ALLOW_METHODS],
    allowHeaders: [...CORS_ALLOW_HEADERS],
    exposeHeaders: [...CORS_EXPOSE_HEADERS],
    maxAge: PREFLIGHT_MAX_AGE_SECONDS,
  });
  const exposed = CORS_EXPOSE_HEADERS.join(',');
  return async (c, next) => {
    const origin = c.req.header('Origin');
    const allowedOrigin = origin !== undefined && allowed.has(origin) ? origin : undefined;
    if (allowedOrigin !== undefined && c.req.method === 'OPTIONS') {
      c.set('routeTemplate', 'cors-preflight');
      return preflight(c, next);
    }
    // Every answer depends on Origin, so a shared cache must not give one to another origin.
    return withAnswerHeaders(
      c,
      next,
      () => {
        if (allowedOrigin !== undefined) {
          c.header('Access-Control-Allow-Origin', allowedOrigin);
          c.header('Access-Control-Expose-Headers', exposed);
        }
        c.header('Vary', 'Origin', { append: true });
      },
      (answer) =>
        allowedOrigin !== undefined
          ? answer.headers.has('access-control-allow-origin')
          : /\borigin\b/i.test(answer.headers.get('vary') ?? ''),
    );
  };
}
