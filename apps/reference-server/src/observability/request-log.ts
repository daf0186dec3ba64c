/**
 * One log line per request: its id, method, route template, status, time
 * and tenant. Those are all the line holds: no header, body, query or raw
 * path (a raw path can hold an id). The request id is the caller's only
 * when it is a short printable token (../http/request-id.ts). So the line
 * is written by a child of the server's logger without its path redaction,
 * which none of these fields meets and which costs about twice the rest of
 * the line (bench/request-log.ts). Every other line keeps the redaction.
 */
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../http/context.ts';
import type { Logger } from './logger.ts';
import { routeTemplateOf } from './route-template.ts';

/**
 * The fields of a request's log line.
 *
 * @example
 * const line: RequestLine = { requestId: 'req_1', method: 'GET', route: '/healthz', status: 200, durationMs: 0.4 };
 */
export interface RequestLine {
  readonly requestId: string | undefined;
  readonly method: string;
  /** The route template (`/api/v1/patients/:id`), or `unmatched`. */
  readonly route: string;
  readonly status: number;
  readonly durationMs: number;
  readonly tenantId?: string | undefined;
}

/**
 * The logger of request lines: `logger`'s level, bindings and destination, without path redaction.
 *
 * @example
 * const lines = requestLogger(logger); lines.info(line, 'request');
 */
export function requestLogger(logger: Logger): Logger {
  return logger.child({}, { redact: [] });
}

/**
 * Logs one {@link RequestLine} per request once it is answered.
 *
 * @example
 * app.use(requestLog(logger));
 */
export function requestLog(logger: Logger): MiddlewareHandler<AppEnv> {
  const lines = requestLogger(logger);
  return async (c, next) => {
    const started = performance.now();
    await next();
    const line: RequestLine = {
      requestId: c.get('requestId'),
      method: c.req.method,
      route: routeTemplateOf(c),
      status: c.res.status,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      tenantId: c.get('auth')?.tenantId,
    };
    lines.info(line, 'request');
  };
}
