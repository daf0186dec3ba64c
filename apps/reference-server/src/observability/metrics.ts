/**
 * Prometheus metrics of the HTTP server: requests by method, route
 * template and status, and their durations. One registry per app, so tests
 * can run several apps in one process; features register their own metrics
 * on `metrics.registry`.
 */
import type { MiddlewareHandler } from 'hono';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { AppEnv } from '../http/context.ts';
import { routeTemplateOf } from './route-template.ts';

/**
 * The app's metrics.
 *
 * @example
 * const metrics: Metrics = createMetrics(); metrics.httpRequests.inc({ method: 'GET', route: '/healthz', status: '200' });
 */
export interface Metrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
}

/**
 * Creates a registry with the HTTP metrics (and process metrics when asked).
 *
 * @example
 * const metrics = createMetrics({ defaultMetrics: true });
 */
export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequests: new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests by method, route template and status.',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by method, route template and status.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
  };
}

/**
 * Counts and times every request by its route template (never the raw path: ids would explode cardinality).
 *
 * @example
 * app.use(httpMetrics(metrics));
 */
export function httpMetrics(metrics: Metrics): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const labels = {
        method: c.req.method,
        route: routeTemplateOf(c),
        status: String(c.res.status),
      };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, (performance.now() - started) / 1000);
    }
  };
}
