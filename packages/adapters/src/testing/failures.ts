/**
 * Failure injection for provider tests: MSW handlers to put in front of a
 * provider's handlers with `server.use(...)`. Each fails the first `times`
 * matching requests and then lets them through to the regular handlers, so
 * "a burst of 503s, then recovery" is one line.
 */
import { delay, HttpResponse, http, type JsonBodyType } from 'msw';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete' | 'all';

/**
 * Which requests to fail and how many times (default: once).
 *
 * @example
 * const target: FailureTarget = { method: 'post', url: 'https://api.stripe.com/v1/payment_intents', times: 2 };
 */
export interface FailureTarget {
  method: Method;
  url: string | RegExp;
  times?: number;
}

/**
 * Counts of what an injected failure has done, for assertions.
 *
 * @example
 * const { handler, hits } = serverErrors({ method: 'get', url, times: 3 });
 */
export interface InjectedFailure {
  handler: ReturnType<typeof http.all>;
  /** Requests that received the injected failure so far. */
  readonly hits: number;
}

function inject(
  target: FailureTarget,
  respond: () => Response | Promise<Response>,
): InjectedFailure {
  let hits = 0;
  const limit = target.times ?? 1;
  const handler = http[target.method](target.url, async () => {
    if (hits >= limit) return undefined; // fall through to the provider's handler
    hits += 1;
    return respond();
  });
  return {
    handler,
    get hits() {
      return hits;
    },
  };
}

/**
 * A burst of 5xx answers (default 503).
 *
 * @example
 * server.use(serverErrors({ method: 'post', url: STRIPE_URL + '/v1/payment_intents', times: 2 }).handler);
 */
export function serverErrors(
  target: FailureTarget & { status?: 500 | 502 | 503 | 504; body?: JsonBodyType },
): InjectedFailure {
  return inject(target, () =>
    HttpResponse.json(target.body ?? {}, { status: target.status ?? 503 }),
  );
}

/**
 * 429 with `Retry-After` (seconds) and an optional provider error body.
 *
 * @example
 * server.use(rateLimited({ method: 'all', url: /twilio/, retryAfterSeconds: 1 }).handler);
 */
export function rateLimited(
  target: FailureTarget & { retryAfterSeconds?: number; body?: JsonBodyType },
): InjectedFailure {
  return inject(target, () =>
    HttpResponse.json(target.body ?? {}, {
      status: 429,
      headers:
        target.retryAfterSeconds !== undefined
          ? { 'retry-after': String(target.retryAfterSeconds) }
          : {},
    }),
  );
}

/**
 * Never answers (until the client's timeout aborts the request).
 *
 * @example
 * server.use(hang({ method: 'get', url: /amadeus/ }).handler);
 */
export function hang(target: FailureTarget): InjectedFailure {
  return inject(target, async () => {
    await delay('infinite');
    return HttpResponse.json({});
  });
}

/**
 * The connection fails (network error).
 *
 * @example
 * server.use(connectionErrors({ method: 'all', url: /sendgrid/ }).handler);
 */
export function connectionErrors(target: FailureTarget): InjectedFailure {
  return inject(target, () => HttpResponse.error());
}

/**
 * 401 as the provider sends it when a token expired or was revoked.
 *
 * @example
 * server.use(authExpired({ method: 'get', url: /amadeus/, body: { errors: [{ code: 38190, status: 401 }] } }).handler);
 */
export function authExpired(target: FailureTarget & { body?: JsonBodyType }): InjectedFailure {
  return inject(target, () => HttpResponse.json(target.body ?? {}, { status: 401 }));
}
