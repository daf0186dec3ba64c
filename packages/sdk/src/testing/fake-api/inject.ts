/**
 * Failure injection: make the next N requests (to one operation or to all)
 * fail with 429, a 5xx or a network error, or answer slowly, so a partner
 * tests their retry and timeout handling without a flaky network.
 */
import type { ErrorCode } from '../../contract/index.ts';
import type { OperationId } from './operation-id.ts';

/**
 * Which requests an injection applies to: one operation id, or every request (`'*'`, the default).
 *
 * @example
 * const target: InjectionTarget = 'appointments.create';
 */
export type InjectionTarget = OperationId | 'oauth.token' | 'exports.download' | '*';

/**
 * What the router must do with a request before handling it.
 *
 * @example
 * const failure: InjectedFailure | null = injector.take('patients.list');
 */
export type InjectedFailure =
  | { kind: 'problem'; code: ErrorCode; status: number; retryAfter?: number }
  | { kind: 'network' };

interface Rule {
  target: InjectionTarget;
  remaining: number;
  failure: InjectedFailure;
}

/**
 * Controls for failure injection, returned as `inject` by `createFakeApi`.
 *
 * @example
 * api.inject.rateLimit({ times: 2, retryAfter: 1, operation: 'appointments.create' });
 * api.inject.serverError({ status: 503 });
 * api.inject.networkError();
 * api.inject.latency(200);
 */
export class FailureInjector {
  #rules: Rule[] = [];
  #latency = new Map<InjectionTarget, number>();

  /** The next `times` matching requests get 429 `rate_limited` with `Retry-After: retryAfter` seconds. */
  rateLimit(
    options: { times?: number; retryAfter?: number; operation?: InjectionTarget } = {},
  ): void {
    this.#add(options, {
      kind: 'problem',
      code: 'rate_limited',
      status: 429,
      retryAfter: options.retryAfter ?? 1,
    });
  }

  /** The next `times` matching requests get a 5xx problem (default 500 `internal_error`). */
  serverError(
    options: { times?: number; status?: 500 | 502 | 503 | 504; operation?: InjectionTarget } = {},
  ): void {
    const status = options.status ?? 500;
    const code: ErrorCode = status === 503 ? 'service_unavailable' : 'internal_error';
    this.#add(options, { kind: 'problem', code, status });
  }

  /** The next `times` matching requests fail at the network level (fetch rejects). */
  networkError(options: { times?: number; operation?: InjectionTarget } = {}): void {
    this.#add(options, { kind: 'network' });
  }

  /** Every matching request waits `ms` before it is handled, until `reset()` (0 removes it). */
  latency(ms: number, options: { operation?: InjectionTarget } = {}): void {
    const target = options.operation ?? '*';
    if (ms <= 0) this.#latency.delete(target);
    else this.#latency.set(target, ms);
  }

  /** Removes every injection. */
  reset(): void {
    this.#rules = [];
    this.#latency.clear();
  }

  /** Delay to apply to a request of `operationId`, in ms. */
  latencyFor(operationId: string): number {
    return (this.#latency.get(operationId as InjectionTarget) ?? 0) + (this.#latency.get('*') ?? 0);
  }

  /** Consumes and returns the first injected failure matching `operationId`, if any. */
  take(operationId: string): InjectedFailure | null {
    const rule = this.#rules.find((r) => r.target === '*' || r.target === operationId);
    if (!rule) return null;
    rule.remaining -= 1;
    if (rule.remaining <= 0) this.#rules.splice(this.#rules.indexOf(rule), 1);
    return rule.failure;
  }

  #add(options: { times?: number; operation?: InjectionTarget }, failure: InjectedFailure): void {
    const times = options.times ?? 1;
    if (!Number.isInteger(times) || times < 1)
      throw new RangeError('times must be a positive integer');
    this.#rules.push({ target: options.operation ?? '*', remaining: times, failure });
  }
}
