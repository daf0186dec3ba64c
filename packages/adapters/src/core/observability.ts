/**
 * Hooks through which the core reports every provider call: metrics (wired
 * to Prometheus by `@clinicbridge/adapters/prometheus`, or anything else) and
 * structured logs. Only bounded, non-personal values pass through here:
 * provider, operation, outcome code, attempt counts, durations.
 */
import type { ProviderErrorCode } from './errors.ts';

/**
 * Outcome label of one HTTP attempt: `ok` or the internal error code.
 *
 * @example
 * const status: RequestOutcome = 'rate_limited';
 */
export type RequestOutcome = 'ok' | ProviderErrorCode;

/**
 * Circuit state per provider, for a breaker-state gauge.
 *
 * @example
 * const state: BreakerState = 'half_open';
 */
export type BreakerState = 'closed' | 'open' | 'half_open';

/**
 * Receives one event per HTTP attempt, per failure and per breaker change.
 * Maps onto `integration_requests_total{provider,operation,status}`,
 * `integration_request_duration_seconds{provider,operation}` and
 * `integration_errors_total{provider,error_type}`.
 *
 * @example
 * const metrics: IntegrationMetrics = {
 *   requestCompleted: (e) => console.log(e.provider, e.operation, e.status, e.durationSeconds),
 *   errorRecorded: (e) => console.log(e.provider, e.errorType),
 * };
 */
export interface IntegrationMetrics {
  requestCompleted(event: {
    provider: string;
    operation: string;
    status: RequestOutcome;
    durationSeconds: number;
  }): void;
  errorRecorded(event: { provider: string; errorType: ProviderErrorCode }): void;
  breakerStateChanged?(event: { provider: string; state: BreakerState }): void;
}

/**
 * Values a log line may carry. Deliberately scalar: objects (request bodies,
 * provider payloads) cannot be passed, so they cannot leak.
 *
 * @example
 * const fields: LogFields = { provider: 'stripe', attempt: 2 };
 */
export type LogFields = Record<string, string | number | boolean | undefined>;

/**
 * One audit record per provider call (not per attempt): what was done, with
 * which outcome, under which correlation id and idempotency key. Carries no
 * request or response content.
 *
 * @example
 * const event: AuditEvent = {
 *   provider: 'stripe', operation: 'payments.refund', outcome: 'ok', attempts: 1,
 *   durationMs: 312, correlationId: 'req_9', idempotencyKey: 'ref_1', replayed: false,
 *   at: '2026-11-22T07:00:00.000Z',
 * };
 */
export interface AuditEvent {
  provider: string;
  operation: string;
  outcome: RequestOutcome;
  attempts: number;
  durationMs: number;
  correlationId: string;
  idempotencyKey?: string;
  replayed: boolean;
  at: string;
}

/**
 * Receives {@link AuditEvent}s; the server appends them to its audit log. A
 * failing hook never fails the call.
 *
 * @example
 * const audit: AuditHook = (event) => auditLog.append({ type: 'provider_call', ...event });
 */
export type AuditHook = (event: AuditEvent) => void | Promise<void>;

/**
 * Minimal structured logger (pino and console both fit).
 *
 * @example
 * const logger: AdapterLogger = { warn: (msg, fields) => console.warn(msg, fields) };
 */
export interface AdapterLogger {
  warn(message: string, fields: LogFields): void;
  info?(message: string, fields: LogFields): void;
}

/**
 * Metrics hooks that record nothing; the default.
 *
 * @example
 * createProviderClient({ provider: 'stripe', baseUrl, auth, metrics: noopMetrics });
 */
export const noopMetrics: IntegrationMetrics = {
  requestCompleted() {},
  errorRecorded() {},
};

/**
 * A logger that drops everything; the default.
 *
 * @example
 * createProviderClient({ provider: 'stripe', baseUrl, auth, logger: silentLogger });
 */
export const silentLogger: AdapterLogger = { warn() {} };
