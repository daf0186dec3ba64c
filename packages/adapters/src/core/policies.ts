/**
 * Resilience policies around each provider call, built on cockatiel:
 * total timeout → retry (exponential backoff with jitter, honouring
 * `Retry-After`) → circuit breaker (one per provider client) → bulkhead.
 * Only transient failures are retried (connection errors, timeouts, 429,
 * 502/503/504), and only when the call says a retry cannot repeat a side effect.
 */
import {
  BrokenCircuitError,
  BulkheadRejectedError,
  bulkhead,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  DelegateBackoff,
  handleWhen,
  type IRetryBackoffContext,
  isBrokenCircuitError,
  isBulkheadRejectedError,
  isTaskCancelledError,
  retry,
  TaskCancelledError,
  TimeoutStrategy,
  timeout,
  wrap,
} from 'cockatiel';
import { isProviderError, ProviderError } from './errors.ts';
import type { BreakerState } from './observability.ts';

/**
 * Retry settings. Delays grow as `baseDelayMs * 2^(retry-1)`, capped at
 * `maxDelayMs`, with "equal jitter" (half fixed, half random) so clients that
 * failed together do not come back together.
 *
 * @example
 * const retry: RetrySettings = { maxRetries: 3, baseDelayMs: 200, maxDelayMs: 5_000 };
 */
export interface RetrySettings {
  /** Retries after the first attempt. Default 3. */
  maxRetries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** A `Retry-After` longer than this is not waited for; the caller gets `rate_limited`. Default 30 s. */
  maxRetryAfterMs?: number;
  /** Source of jitter in [0, 1); injectable for tests. */
  random?: () => number;
}

/**
 * Circuit breaker settings: opens after `consecutiveFailures` unavailable or
 * timed-out attempts, lets one trial call through after `halfOpenAfterMs`.
 *
 * @example
 * const breaker: BreakerSettings = { consecutiveFailures: 5, halfOpenAfterMs: 30_000 };
 */
export interface BreakerSettings {
  consecutiveFailures?: number;
  halfOpenAfterMs?: number;
}

/**
 * Concurrency limit per provider client; calls beyond `limit` wait in a
 * queue of `queue`, beyond that they fail fast.
 *
 * @example
 * const bulkhead: BulkheadSettings = { limit: 10, queue: 100 };
 */
export interface BulkheadSettings {
  limit?: number;
  queue?: number;
}

/**
 * All policy settings of one provider client.
 *
 * @example
 * const policies: PolicySettings = { retry: { maxRetries: 2 }, totalTimeoutMs: 20_000 };
 */
export interface PolicySettings {
  retry?: RetrySettings;
  breaker?: BreakerSettings;
  bulkhead?: BulkheadSettings;
  /** Bound on a whole call including retries and waits. Default 60 s. */
  totalTimeoutMs?: number;
}

/**
 * Delay before retry number `retry` (1-based): the provider's `Retry-After`
 * when it gave one, otherwise exponential backoff with equal jitter.
 *
 * @example
 * retryDelayMs(2, { baseDelayMs: 100, random: () => 0 }); // 100 (half of 200)
 */
export function retryDelayMs(retry: number, settings: RetrySettings, error?: unknown): number {
  if (isProviderError(error) && error.retryAfterMs !== undefined) return error.retryAfterMs;
  const base = settings.baseDelayMs ?? 200;
  const cap = Math.min(settings.maxDelayMs ?? 5_000, base * 2 ** (retry - 1));
  const random = settings.random ?? Math.random;
  return Math.round(cap / 2 + (random() * cap) / 2);
}

/** The 5xx answers that say "try again": a gateway or the provider's front door failed. */
const RETRYABLE_5XX: ReadonlySet<number> = new Set([502, 503, 504]);

/**
 * Transient failures worth another attempt: no answer at all (connection
 * error, attempt timeout), rate limiting, 502/503/504, and provider error
 * bodies that say "temporary" on a non-5xx status. Any other 5xx (500, 501,
 * 505…) is not retried: it is the provider's own fault, usually repeats on the
 * same input, and after a write it may have done part of the work. It still
 * counts against the breaker and still reaches the manual fallback.
 */
const isRetryable = (error: ProviderError): boolean =>
  error.transient &&
  (error.code === 'rate_limited' ||
    error.status === undefined ||
    error.status < 500 ||
    RETRYABLE_5XX.has(error.status));

const countsAgainstBreaker = (error: unknown): boolean =>
  isProviderError(error) && (error.code === 'provider_unavailable' || error.code === 'timeout');

const BREAKER_STATES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half_open',
  [CircuitState.Isolated]: 'open',
};

/**
 * Per-call knobs passed to {@link ProviderPolicies.execute}.
 *
 * @example
 * const options: ExecuteOptions = { provider: 'stripe', operation: 'payments.refund', mayRetry: (e) => e.code === 'rate_limited' };
 */
export interface ExecuteOptions {
  provider: string;
  operation: string;
  /** Whether this call may be retried after this error (write safety). */
  mayRetry: (error: ProviderError) => boolean;
  onRetry?: (event: { attempt: number; delayMs: number; error: ProviderError }) => void;
}

/**
 * The policies of one provider client; the breaker and bulkhead are shared
 * by all its calls.
 *
 * @example
 * const policies = createProviderPolicies({ breaker: { consecutiveFailures: 3 } });
 * await policies.execute((signal) => fetch(url, { signal }), { provider: 'x', operation: 'y', mayRetry: () => true });
 */
export interface ProviderPolicies {
  execute<T>(attempt: (signal: AbortSignal) => Promise<T>, options: ExecuteOptions): Promise<T>;
  readonly breakerState: BreakerState;
  onBreakerStateChange(listener: (state: BreakerState) => void): void;
}

/**
 * Builds the policy chain of one provider client.
 *
 * @example
 * const policies = createProviderPolicies({ retry: { maxRetries: 2 }, bulkhead: { limit: 4 } });
 */
export function createProviderPolicies(settings: PolicySettings = {}): ProviderPolicies {
  const retrySettings = settings.retry ?? {};
  const maxRetries = retrySettings.maxRetries ?? 3;
  const maxRetryAfterMs = retrySettings.maxRetryAfterMs ?? 30_000;
  const breaker = circuitBreaker(handleWhen(countsAgainstBreaker), {
    halfOpenAfter: settings.breaker?.halfOpenAfterMs ?? 30_000,
    breaker: new ConsecutiveBreaker(settings.breaker?.consecutiveFailures ?? 5),
  });
  const limiter = bulkhead(settings.bulkhead?.limit ?? 10, settings.bulkhead?.queue ?? 100);
  const inner = wrap(breaker, limiter);
  const totalTimeoutMs = settings.totalTimeoutMs ?? 60_000;

  return {
    get breakerState() {
      return BREAKER_STATES[breaker.state];
    },
    onBreakerStateChange(listener) {
      breaker.onStateChange((state) => listener(BREAKER_STATES[state]));
    },
    async execute(attempt, options) {
      let attempts = 0;
      const retryPolicy = retry(
        handleWhen(
          (error) =>
            isProviderError(error) &&
            isRetryable(error) &&
            (error.retryAfterMs ?? 0) <= maxRetryAfterMs &&
            options.mayRetry(error),
        ),
        {
          maxAttempts: maxRetries,
          backoff: new DelegateBackoff((context: IRetryBackoffContext<unknown>) =>
            retryDelayMs(
              context.attempt,
              retrySettings,
              'error' in context.result ? context.result.error : undefined,
            ),
          ),
        },
      );
      retryPolicy.onRetry((event) => {
        if ('error' in event && isProviderError(event.error)) {
          options.onRetry?.({ attempt: event.attempt, delayMs: event.delay, error: event.error });
        }
      });
      const chain = wrap(timeout(totalTimeoutMs, TimeoutStrategy.Aggressive), retryPolicy, inner);
      try {
        return await chain.execute(({ signal }) => {
          attempts += 1;
          return attempt(signal);
        });
      } catch (error) {
        throw toProviderError(error, options, attempts);
      }
    },
  };
}

function toProviderError(error: unknown, options: ExecuteOptions, attempts: number): unknown {
  const base = { provider: options.provider, operation: options.operation, attempts };
  if (isProviderError(error)) return error.with({ attempts });
  if (isBrokenCircuitError(error) || error instanceof BrokenCircuitError) {
    return new ProviderError({ ...base, code: 'provider_unavailable', circuitOpen: true });
  }
  if (isBulkheadRejectedError(error) || error instanceof BulkheadRejectedError) {
    return new ProviderError({
      ...base,
      code: 'provider_unavailable',
      message: 'Too many calls to this provider are in flight; retry shortly.',
    });
  }
  if (isTaskCancelledError(error) || error instanceof TaskCancelledError) {
    return new ProviderError({ ...base, code: 'timeout' });
  }
  return error;
}
