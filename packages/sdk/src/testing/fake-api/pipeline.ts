/**
 * The request path of one operation, in the real server's order: request id
 * → injected failures → authenticate → scope → idempotency (writes) →
 * injected latency → validate → handler → audit → response. Every response, success or
 * problem, carries `X-Request-Id`.
 */
import { hasScope, newId } from '../../contract/index.ts';
import { recordAudit } from './audit.ts';
import type { BoundHandler, OperationContext } from './context.ts';
import { recordEvent } from './event-recorder.ts';
import { requestFingerprint, type StoredResponse } from './idempotency.ts';
import type { FailureInjector } from './inject.ts';
import { ApiProblem, problemResponse } from './problem.ts';
import { queryObject, readJsonBody, validateInput } from './validate.ts';
import type { FakeWorld } from './world.ts';

/**
 * Returned instead of a response when a network error was injected.
 *
 * @example
 * if (response === NETWORK_ERROR) return HttpResponse.error();
 */
export const NETWORK_ERROR = Symbol('network error');

/**
 * A fresh request id.
 *
 * @example
 * const requestId = newRequestId(); // 'req_…'
 */
export function newRequestId(): string {
  return `req_${newId('evt').slice(4)}`;
}

/**
 * Sleeps `ms` on the (possibly fake) timer, so injected latency follows
 * `vi.useFakeTimers()` in the caller's tests.
 *
 * @example
 * await sleep(injector.latencyFor('patients.list'));
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Applies injected failures for `target` (and, with `withLatency`, injected
 * latency first); throws the injected problem or returns NETWORK_ERROR.
 *
 * @example
 * if ((await applyInjection(injector, 'oauth.token', true)) === NETWORK_ERROR) return HttpResponse.error();
 */
export async function applyInjection(
  injector: FailureInjector,
  target: string,
  withLatency: boolean,
): Promise<typeof NETWORK_ERROR | null> {
  const latency = withLatency ? injector.latencyFor(target) : 0;
  if (latency > 0) await sleep(latency);
  const failure = injector.take(target);
  if (!failure) return null;
  if (failure.kind === 'network') return NETWORK_ERROR;
  throw new ApiProblem(
    failure.code,
    failure.code === 'rate_limited'
      ? `too many requests; retry after ${failure.retryAfter ?? 1} s`
      : 'the server failed (injected by the fake API)',
    failure.retryAfter === undefined
      ? { status: failure.status }
      : { status: failure.status, retryAfter: failure.retryAfter },
  );
}

function jsonResponse(status: number, body: unknown, requestId: string): Response {
  if (status === 204 || body === undefined) {
    return new Response(null, { status, headers: { 'x-request-id': requestId } });
  }
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', 'x-request-id': requestId },
  });
}

async function snapshot(
  response: Response,
  shownOnce?: readonly string[],
): Promise<StoredResponse> {
  const headers = [...response.headers].filter(([k]) => k !== 'x-request-id');
  const body = await response.clone().text();
  if (!shownOnce || shownOnce.length === 0 || body === '') {
    return { status: response.status, headers, body };
  }
  // As the server: a secret shown once is never kept; the replay says so instead.
  const kept = JSON.parse(body) as Record<string, unknown>;
  for (const field of shownOnce) delete kept[field];
  return {
    status: response.status,
    headers,
    body: JSON.stringify({ ...kept, secretShownOnce: true }),
  };
}

function replay(stored: StoredResponse, requestId: string): Response {
  const headers = new Headers(stored.headers as [string, string][]);
  headers.set('x-request-id', requestId);
  headers.set('idempotency-replayed', 'true');
  return new Response(stored.status === 204 ? null : stored.body, {
    status: stored.status,
    headers,
  });
}

function decodeParams(params: Record<string, string | readonly string[] | undefined>) {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) {
    if (typeof value !== 'string') continue;
    try {
      out[key] = decodeURIComponent(value);
    } catch {
      out[key] = value;
    }
  }
  return out;
}

/**
 * Runs one request through the whole path and returns its response.
 *
 * @example
 * const response = await runOperation(world, injector, handler, request, { appointmentId: 'apt_…' });
 */
export async function runOperation(
  world: FakeWorld,
  injector: FailureInjector,
  handler: BoundHandler,
  request: Request,
  rawParams: Record<string, string | readonly string[] | undefined>,
): Promise<Response | typeof NETWORK_ERROR> {
  const { op } = handler;
  const requestId = newRequestId();
  const url = new URL(request.url);
  try {
    if ((await applyInjection(injector, op.id, false)) === NETWORK_ERROR) return NETWORK_ERROR;
    const caller = world.auth.authenticate(
      request.headers.get('authorization'),
      world.clientAddress,
    );
    if (!hasScope(caller.scopes, op.scope)) {
      throw new ApiProblem(
        'insufficient_scope',
        `this operation needs the "${op.scope}" scope, which the credential was not granted`,
      );
    }
    const tenant = world.tenant(caller.tenantId);
    const rawBody = op.body ? await readJsonBody(request) : undefined;
    const key = op.write ? request.headers.get('idempotency-key') : null;
    const fingerprint = requestFingerprint(op.id, url.pathname, rawBody);
    if (key !== null) {
      const stored = world.idempotency.begin(tenant.id, caller.actor.id, key, fingerprint);
      if (stored) return replay(stored, requestId);
    }
    let response: Response;
    try {
      // Latency stands for processing time: it runs with the key reserved, so
      // a concurrent retry with the same key sees idempotency_in_flight.
      const latency = injector.latencyFor(op.id);
      if (latency > 0) await sleep(latency);
      const input = validateInput(op, {
        params: decodeParams(rawParams),
        query: queryObject(url),
        body: rawBody,
      });
      const now = world.now().toISOString();
      const ctx: OperationContext<typeof op> = {
        op,
        params: input.params as never,
        query: input.query as never,
        body: input.body as never,
        tenant,
        caller,
        requestId,
        now,
        world,
        emit: (type, entity, data, options) =>
          recordEvent(tenant, now, {
            type,
            entityType: entity.type,
            entityId: entity.id,
            data,
            ...(options?.endpointId === undefined ? {} : { endpointId: options.endpointId }),
          }),
      };
      let result: ReturnType<BoundHandler['run']>;
      try {
        result = handler.run(ctx);
      } catch (error) {
        // Domain refusals (409, 422, 404) are answers too: stored for replay like a success.
        if (!(error instanceof ApiProblem) || key === null) throw error;
        response = problemResponse(error, requestId, url.pathname);
        world.idempotency.complete(
          tenant.id,
          caller.actor.id,
          key,
          fingerprint,
          await snapshot(response),
        );
        return response;
      }
      response = jsonResponse(result.status ?? op.status, result.body, requestId);
      if (op.write) {
        recordAudit(tenant, {
          op,
          caller,
          requestId,
          now,
          params: input.params,
          responseBody: result.body,
        });
      }
    } catch (error) {
      if (key !== null) world.idempotency.release(tenant.id, key);
      throw error;
    }
    if (key !== null)
      world.idempotency.complete(
        tenant.id,
        caller.actor.id,
        key,
        fingerprint,
        await snapshot(response, op.shownOnce),
      );
    return response;
  } catch (error) {
    const problem =
      error instanceof ApiProblem
        ? error
        : new ApiProblem(
            'internal_error',
            `the fake API failed: ${error instanceof Error ? error.message : String(error)}`,
          );
    return problemResponse(problem, requestId, url.pathname);
  }
}
