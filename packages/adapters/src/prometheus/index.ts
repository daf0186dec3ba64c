/**
 * @clinicbridge/adapters/prometheus — the core's metrics hooks on a
 * prom-client registry you pass in (prom-client is an optional peer
 * dependency; nothing registers on the global registry by itself).
 *
 * - `integration_requests_total{provider,operation,status}` — one per HTTP attempt, `status` = `ok` or the error code
 * - `integration_request_duration_seconds{provider,operation}` — attempt latency
 * - `integration_errors_total{provider,error_type}` — failed attempts and refused calls
 * - `integration_circuit_state{provider}` — 0 closed, 1 half-open, 2 open
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { BreakerState, IntegrationMetrics } from '../core/observability.ts';

const STATE_VALUE: Record<BreakerState, number> = { closed: 0, half_open: 1, open: 2 };

function reuse<T>(registry: Registry, name: string, create: () => T): T {
  // A second call with the same registry (tests, hot reload) must not throw "already registered".
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}

/**
 * Metrics hooks writing to `registry`.
 *
 * @example
 * import { Registry } from 'prom-client';
 * const registry = new Registry();
 * const gateway = createStripeGateway({ secretKey, metrics: createPrometheusMetrics(registry) });
 * // expose `await registry.metrics()` on /metrics
 */
export function createPrometheusMetrics(
  registry: Registry,
  options: { buckets?: number[] } = {},
): IntegrationMetrics {
  const registers = [registry];
  const requests = reuse(
    registry,
    'integration_requests_total',
    () =>
      new Counter({
        name: 'integration_requests_total',
        help: 'Provider HTTP attempts by outcome.',
        labelNames: ['provider', 'operation', 'status'] as const,
        registers,
      }),
  );
  const duration = reuse(
    registry,
    'integration_request_duration_seconds',
    () =>
      new Histogram({
        name: 'integration_request_duration_seconds',
        help: 'Provider HTTP attempt latency in seconds.',
        labelNames: ['provider', 'operation'] as const,
        buckets: options.buckets ?? [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        registers,
      }),
  );
  const errors = reuse(
    registry,
    'integration_errors_total',
    () =>
      new Counter({
        name: 'integration_errors_total',
        help: 'Provider failures by internal error code.',
        labelNames: ['provider', 'error_type'] as const,
        registers,
      }),
  );
  const circuit = reuse(
    registry,
    'integration_circuit_state',
    () =>
      new Gauge({
        name: 'integration_circuit_state',
        help: 'Circuit breaker state per provider: 0 closed, 1 half-open, 2 open.',
        labelNames: ['provider'] as const,
        registers,
      }),
  );

  return {
    requestCompleted({ provider, operation, status, durationSeconds }) {
      requests.inc({ provider, operation, status });
      duration.observe({ provider, operation }, durationSeconds);
    },
    errorRecorded({ provider, errorType }) {
      errors.inc({ provider, error_type: errorType });
    },
    breakerStateChanged({ provider, state }) {
      circuit.set({ provider }, STATE_VALUE[state]);
    },
  };
}
