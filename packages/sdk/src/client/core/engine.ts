/**
 * The request engine: one contract operation in, typed data or a typed error
 * out. It owns the retry loop so that a write keeps one `Idempotency-Key`
 * across its retries (and is never retried without one), waits honour the
 * server's hints up to `maxRetryDelay`, and the overall deadline covers both
 * attempts and waits: a wait that would cross it ends the call at once.
 */
import type { Operation } from '../../contract/operation.ts';
import {
  AbortError,
  ClinicBridgeError,
  ConnectionError,
  RateLimitError,
  TimeoutError,
} from '../errors/errors.ts';
import { errorFromResponse } from '../errors/from-response.ts';
import { redactBody, redactHeaders } from '../hooks/redact.ts';
import type { RequestEvent } from '../hooks/types.ts';
import {
  backoffDelay,
  isRetryableStatus,
  type RetryOptions,
  serverDelayHint,
} from '../retry/policy.ts';
import { readRateLimit } from '../retry/rate-limit-headers.ts';
import { validateResponse } from '../validation/validate.ts';
import { AttemptFailure, type AttemptResponse, sendAttempt } from './attempt.ts';
import { resolveTraceparent } from './traceparent.ts';
import type { ApiResult, CallInput, EngineConfig, RequestOptions } from './types.ts';
import { requestUrl } from './url.ts';

function parseBody(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function safely(hook: (() => void) | undefined): void {
  try {
    hook?.();
  } catch {
    // Observability must never fail the call it observes.
  }
}

function failureError(failure: AttemptFailure, operationId: string): ClinicBridgeError {
  const init = { operationId, cause: failure.cause };
  if (failure.kind === 'abort') {
    return new AbortError(`${operationId} was aborted`, { ...init, code: 'aborted' });
  }
  if (failure.kind === 'timeout') {
    return new TimeoutError(`${operationId} timed out waiting for a response`, {
      ...init,
      code: 'timeout',
    });
  }
  return new ConnectionError(
    `${operationId} failed: could not reach ClinicBridge (the connection failed before a response)`,
    { ...init, code: 'connection_error' },
  );
}

/**
 * Sends one operation with auth, idempotency, retries, timeouts, hooks and
 * response validation, and returns the data with its response metadata.
 *
 * @example
 * const result = await sendOperation(config, operations.appointments.get, { params: { appointmentId } });
 * console.log(result.data.status, result.requestId);
 */
export async function sendOperation(
  config: EngineConfig,
  op: Operation,
  input: CallInput,
  options: RequestOptions = {},
): Promise<ApiResult<unknown>> {
  try {
    return await run(config, op, input, options);
  } catch (error) {
    const onError = config.hooks.onError;
    safely(onError && (() => onError({ operationId: op.id, error: error as Error })));
    throw error;
  }
}

async function run(
  config: EngineConfig,
  op: Operation,
  input: CallInput,
  options: RequestOptions,
): Promise<ApiResult<unknown>> {
  const retry: RetryOptions = { ...config.retry, ...options.retry };
  const { clock, hooks } = config;
  const signal = options.signal;
  const url = requestUrl(config.baseUrl, op.path, input.params, input.query);
  const key = op.write
    ? options.idempotencyKey === undefined
      ? config.generateId()
      : (options.idempotencyKey ?? undefined)
    : undefined;
  // A write without a key could be applied twice if retried after a lost response.
  const retriable = !op.write || key !== undefined;
  const traceparent = resolveTraceparent(options.traceparent ?? config.traceparent?.());
  const bodyText = input.body === undefined ? undefined : JSON.stringify(input.body);
  const deadline = clock.now() + retry.deadline;
  let retries = 0;
  let attempts = 0;
  let reauthenticated = false;

  for (;;) {
    if (signal?.aborted) throw failureError(new AttemptFailure('abort', signal.reason), op.id);
    attempts += 1;
    let error: ClinicBridgeError;
    let hint: number | undefined;
    let reason: string;
    let requestId: string | undefined;
    let credential: string | undefined;
    try {
      credential = await config.auth.credential(signal);
      const headers = new Headers(config.headers);
      headers.set('accept', 'application/json');
      headers.set('authorization', `Bearer ${credential}`);
      headers.set('traceparent', traceparent);
      if (bodyText !== undefined) headers.set('content-type', 'application/json');
      if (key !== undefined) headers.set('idempotency-key', key);
      for (const [name, value] of Object.entries(options.headers ?? {})) headers.set(name, value);

      const remaining = deadline - clock.now();
      if (remaining <= 0) {
        throw new AttemptFailure('timeout', new Error('deadline reached before the attempt'));
      }
      const event: RequestEvent = {
        operationId: op.id,
        method: op.method,
        url,
        attempt: attempts,
        headers: redactHeaders(headers),
      };
      if (config.logBodies && input.body !== undefined) event.body = redactBody(input.body);
      safely(hooks.onRequest && (() => hooks.onRequest?.(event)));

      const started = clock.now();
      const { response, text }: AttemptResponse = await sendAttempt(
        config.fetch,
        url,
        { method: op.method, headers, ...(bodyText === undefined ? {} : { body: bodyText }) },
        Math.min(options.timeout ?? config.timeout, remaining),
        signal,
      );
      const body = parseBody(text);
      requestId = response.headers.get('x-request-id') ?? undefined;
      const rid = requestId;
      safely(
        hooks.onResponse &&
          (() =>
            hooks.onResponse?.({
              ...event,
              status: response.status,
              requestId: rid,
              durationMs: clock.now() - started,
              responseHeaders: redactHeaders(response.headers),
              ...(config.logBodies && body !== undefined ? { responseBody: redactBody(body) } : {}),
            })),
      );

      if (response.ok) {
        const data = await validateResponse(
          op.response,
          body,
          options.validation ?? config.validation,
          {
            operationId: op.id,
            status: response.status,
            requestId,
            onWarning: hooks.onValidationWarning,
          },
        );
        return {
          data,
          response,
          status: response.status,
          requestId,
          replayed: response.headers.get('idempotency-replayed') === 'true',
          attempts,
          idempotencyKey: key,
          rateLimit: readRateLimit(response.headers),
          raw: body,
        };
      }

      if (response.status === 401 && !reauthenticated) {
        reauthenticated = true;
        // One fresh credential per call: an OAuth token may have been revoked or rotated.
        if (await config.auth.rejected(credential)) continue;
      }
      hint = serverDelayHint(response.headers, response.status, clock.now());
      error = errorFromResponse({
        status: response.status,
        body,
        requestId,
        operationId: op.id,
        retryAfter: hint === undefined ? undefined : Math.ceil(hint / 1000),
      });
      if (!isRetryableStatus(response.status, error.code)) throw error;
      reason = `status_${response.status}`;
    } catch (thrown) {
      hint = undefined;
      if (
        credential === undefined &&
        thrown instanceof ClinicBridgeError &&
        (thrown instanceof ConnectionError ||
          thrown instanceof TimeoutError ||
          isRetryableStatus(thrown.status ?? 0, thrown.code))
      ) {
        // The token endpoint was unreachable or overloaded: as retryable as the API itself.
        error = thrown;
        reason = thrown.code;
        if (thrown instanceof RateLimitError && thrown.retryAfter !== undefined) {
          hint = thrown.retryAfter * 1000;
        }
      } else if (thrown instanceof AttemptFailure && thrown.kind !== 'abort') {
        error = failureError(thrown, op.id);
        reason = thrown.kind === 'timeout' ? 'timeout' : 'connection_error';
      } else if (thrown instanceof AttemptFailure) {
        throw failureError(thrown, op.id);
      } else {
        throw thrown;
      }
    }

    if (!retriable || retries >= retry.maxRetries) throw error;
    if (hint !== undefined && hint > retry.maxRetryDelay) throw error;
    const delayMs = hint ?? backoffDelay(retries, retry, config.random);
    if (clock.now() + delayMs >= deadline) throw error;
    retries += 1;
    const retryEvent = {
      operationId: op.id,
      attempt: attempts + 1,
      delayMs,
      requestId,
      reason,
    };
    safely(hooks.onRetry && (() => hooks.onRetry?.(retryEvent)));
    try {
      await clock.sleep(delayMs, signal);
    } catch (cause) {
      throw failureError(new AttemptFailure('abort', cause), op.id);
    }
  }
}
