/**
 * The provider client every adapter is built on: ky underneath, an auth hook,
 * per-attempt timeout, the resilience policies, error mapping to
 * {@link ProviderError}, idempotency keys on writes, metrics, logs and an
 * OpenTelemetry span per call. Adapters describe calls; this file makes them.
 */
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import ky, { type KyInstance } from 'ky';
import type {
  ProviderCall,
  ProviderClient,
  ProviderClientOptions,
  ProviderReply,
  ProviderResponse,
  Scalar,
} from './client-types.ts';
import {
  codeForStatus,
  isProviderError,
  ProviderError,
  type ProviderErrorCode,
  type ProviderErrorInit,
} from './errors.ts';
import { parseRetryAfter, readBody } from './http.ts';
import { noopMetrics, type RequestOutcome, silentLogger } from './observability.ts';
import { createProviderPolicies } from './policies.ts';

export type {
  ProviderCall,
  ProviderClient,
  ProviderClientOptions,
  ProviderFailure,
  ProviderReply,
  ProviderResponse,
} from './client-types.ts';

const encodeForm = (form: Record<string, Scalar>): URLSearchParams => {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(form)) {
    if (value !== undefined) params.append(key, String(value));
  }
  return params;
};

const definedParams = (params: Record<string, Scalar>): Record<string, string> => {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined) result[key] = String(value);
  }
  return result;
};

/**
 * Creates the resilient client for one provider. Hold one per provider
 * account: the breaker and the bulkhead live in it.
 *
 * @example
 * const stripe = createProviderClient({
 *   provider: 'stripe',
 *   baseUrl: 'https://api.stripe.com',
 *   auth: bearerAuth(process.env.STRIPE_SECRET_KEY!),
 *   idempotencyHeader: 'Idempotency-Key',
 * });
 * const intent = await stripe.json({ operation: 'payments.status', path: '/v1/payment_intents/pi_1' });
 */
export function createProviderClient(options: ProviderClientOptions): ProviderClient {
  const { provider } = options;
  const metrics = options.metrics ?? noopMetrics;
  const logger = options.logger ?? silentLogger;
  const tracer = options.tracer ?? trace.getTracer('@clinicbridge/adapters');
  const policies = createProviderPolicies(options.policies);
  const inflight = new Map<string, Promise<ProviderResponse<unknown>>>();
  const http: KyInstance = ky.create({
    prefix: options.baseUrl,
    retry: 0,
    throwHttpErrors: false,
    timeout: options.timeoutMs ?? 10_000,
    ...(options.headers ? { headers: options.headers } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });

  policies.onBreakerStateChange((state) => {
    metrics.breakerStateChanged?.({ provider, state });
    logger.warn('provider circuit changed', { provider, state });
  });

  const fail = (
    operation: string,
    code: ProviderErrorCode,
    extra: Partial<ProviderErrorInit> = {},
  ) => {
    metrics.errorRecorded({ provider, errorType: code });
    return new ProviderError({ provider, operation, code, ...extra });
  };

  async function attemptOnce<T>(
    call: ProviderCall<T>,
    idempotencyKey: string | undefined,
    correlationId: string,
    signal: AbortSignal,
  ): Promise<ProviderResponse<unknown>> {
    const { operation } = call;
    let refreshed = false;
    for (;;) {
      const started = performance.now();
      const done = (status: 'ok' | ProviderErrorCode) =>
        metrics.requestCompleted({
          provider,
          operation,
          status,
          durationSeconds: (performance.now() - started) / 1000,
        });
      let sentAuthorization: string | null = null;
      const headers: Record<string, string> = { ...call.headers };
      if (idempotencyKey && options.idempotencyHeader) {
        headers[options.idempotencyHeader] = idempotencyKey;
      }
      let response: Response;
      try {
        response = await http(call.path, {
          method: call.method ?? 'get',
          headers,
          // The call's abort signal is not forwarded: ky composes it with its own timeout
          // signal at a cost of about a third of a call's CPU, and the per-attempt
          // timeout already bounds every request the total timeout gives up on.
          ...(call.searchParams ? { searchParams: definedParams(call.searchParams) } : {}),
          ...(call.json !== undefined ? { json: call.json } : {}),
          ...(call.form ? { body: encodeForm(call.form) } : {}),
          ...(call.text !== undefined ? { body: call.text } : {}),
          ...(call.timeoutMs !== undefined ? { timeout: call.timeoutMs } : {}),
          hooks: {
            beforeRequest: [
              async ({ request }) => {
                await options.auth?.authorize(request);
                sentAuthorization = request.headers.get('authorization');
              },
            ],
          },
        });
      } catch (error) {
        if (signal.aborted) throw error;
        if (isProviderError(error)) throw error; // the auth strategy failed (token endpoint)
        const code = (error as Error)?.name === 'TimeoutError' ? 'timeout' : 'provider_unavailable';
        done(code);
        throw fail(operation, code, { correlationId });
      }
      const body = await readBody(response);
      const reply: ProviderReply = { status: response.status, body, headers: response.headers };
      const failure = options.mapError?.(reply);
      if (response.ok && !failure) {
        done('ok');
        return {
          data: body,
          status: response.status,
          headers: response.headers,
          idempotencyKey,
          replayed: false,
        };
      }
      const code = failure?.code ?? codeForStatus(response.ok ? 400 : response.status);
      done(code);
      if (response.status === 401 && options.auth?.refresh && !refreshed) {
        refreshed = true;
        metrics.errorRecorded({ provider, errorType: 'auth_failed' });
        if (await options.auth.refresh(sentAuthorization)) {
          continue;
        }
      }
      const requestId = options.requestIdHeader
        ? (response.headers.get(options.requestIdHeader) ?? undefined)
        : undefined;
      throw fail(operation, code, {
        status: response.status,
        providerCode: failure?.providerCode,
        ...(failure?.fields && failure.fields.length > 0 ? { fields: failure.fields } : {}),
        retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
        providerRequestId: requestId,
        correlationId,
      });
    }
  }

  async function execute<T>(
    call: ProviderCall<T>,
    idempotencyKey: string | undefined,
    correlationId: string,
    counter: { attempts: number },
  ): Promise<ProviderResponse<T>> {
    const method = call.method ?? 'get';
    const isWrite = method !== 'get' && !call.readOnly;
    const keyed = isWrite && options.idempotencyHeader !== undefined;
    const result = await policies.execute(
      (signal) => {
        counter.attempts += 1;
        return attemptOnce(call, idempotencyKey, correlationId, signal);
      },
      {
        provider,
        operation: call.operation,
        // A retried write without a provider-side key could act twice; only a
        // 429 proves the provider did nothing.
        mayRetry: (error) =>
          !isWrite || keyed || call.idempotent === true || error.code === 'rate_limited',
        onRetry: ({ attempt, delayMs, error }) =>
          logger.warn('provider call retrying', {
            provider,
            operation: call.operation,
            attempt,
            delayMs,
            code: error.code,
            status: error.status,
            correlationId,
          }),
      },
    );
    if (!call.schema) return result as ProviderResponse<T>;
    const parsed = call.schema.safeParse(result.data);
    if (!parsed.success) {
      throw fail(call.operation, 'provider_unavailable', {
        correlationId,
        message:
          'The provider answered with an unexpected shape; an operator should check the integration.',
        fields: parsed.error.issues.map((issue) => issue.path.join('.')),
      });
    }
    return { ...result, data: parsed.data };
  }

  async function send<T>(call: ProviderCall<T>): Promise<ProviderResponse<T>> {
    const method = call.method ?? 'get';
    const isWrite = method !== 'get' && !call.readOnly;
    const correlationId = call.correlationId ?? crypto.randomUUID();
    const idempotencyKey = isWrite ? (call.idempotencyKey ?? crypto.randomUUID()) : undefined;
    const storeKey =
      isWrite && call.idempotencyKey && options.idempotencyStore
        ? `${provider}:${call.operation}:${call.idempotencyKey}`
        : undefined;

    const started = performance.now();
    const counter = { attempts: 0 };
    const record = (outcome: RequestOutcome, replayed: boolean) => {
      if (!options.audit) return;
      try {
        void Promise.resolve(
          options.audit({
            provider,
            operation: call.operation,
            outcome,
            attempts: counter.attempts,
            durationMs: Math.round(performance.now() - started),
            correlationId,
            ...(idempotencyKey ? { idempotencyKey } : {}),
            replayed,
            at: new Date().toISOString(),
          }),
        ).catch(() => undefined);
      } catch {
        // The audit sink is the caller's; its failure must not fail the provider call.
      }
    };

    return tracer.startActiveSpan(
      `${provider} ${call.operation}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'clinicbridge.provider': provider,
          'clinicbridge.operation': call.operation,
          'clinicbridge.correlation_id': correlationId,
          'http.request.method': method.toUpperCase(),
        },
      },
      async (span) => {
        try {
          if (storeKey && options.idempotencyStore) {
            const stored = await options.idempotencyStore.get(storeKey);
            if (stored !== undefined) {
              span.setAttribute('clinicbridge.idempotent_replay', true);
              record('ok', true);
              return { ...(stored as ProviderResponse<T>), headers: new Headers(), replayed: true };
            }
            const pending = inflight.get(storeKey);
            if (pending) {
              const shared = (await pending) as ProviderResponse<T>;
              record('ok', true);
              return { ...shared, replayed: true };
            }
          }
          const running = execute(call, idempotencyKey, correlationId, counter);
          if (storeKey) inflight.set(storeKey, running as Promise<ProviderResponse<unknown>>);
          try {
            const result = await running;
            if (storeKey && options.idempotencyStore) {
              await options.idempotencyStore.set(storeKey, {
                data: result.data,
                status: result.status,
                idempotencyKey: result.idempotencyKey,
              });
            }
            span.setStatus({ code: SpanStatusCode.OK });
            record('ok', false);
            return result;
          } finally {
            if (storeKey) inflight.delete(storeKey);
          }
        } catch (caught) {
          let error = caught;
          if (isProviderError(error) && error.correlationId === undefined) {
            // Refused before any attempt (open circuit, full bulkhead): stamp the call's id.
            if (error.circuitOpen) metrics.errorRecorded({ provider, errorType: error.code });
            error = error.with({ correlationId });
          }
          if (isProviderError(error)) {
            record(error.code, false);
            span.setAttribute('clinicbridge.error_code', error.code);
            span.setAttribute('clinicbridge.attempts', error.attempts);
            logger.warn('provider call failed', {
              provider,
              operation: call.operation,
              code: error.code,
              providerCode: error.providerCode,
              status: error.status,
              attempts: error.attempts,
              circuitOpen: error.circuitOpen,
              correlationId,
            });
          }
          span.setStatus({
            code: SpanStatusCode.ERROR,
            message: isProviderError(error) ? error.code : 'error',
          });
          throw error;
        } finally {
          span.end();
        }
      },
    );
  }

  return {
    provider,
    policies,
    send,
    async json<T>(call: ProviderCall<T>) {
      return (await send(call)).data;
    },
  };
}
