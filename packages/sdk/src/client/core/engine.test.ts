/** The request engine: retries and their waits, idempotency keys, deadlines, timeouts, cancellation, tracing and response metadata. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeClock } from '../__fixtures__/fake-clock.ts';
import { API_KEY, appointmentSample, BASE_URL } from '../__fixtures__/samples.ts';
import { json, problem, scriptedFetch } from '../__fixtures__/scripted-fetch.ts';
import { ClinicBridge } from '../clinic-bridge.ts';
import {
  isAbortError,
  isConflictError,
  isConnectionError,
  isRateLimitError,
  isServerError,
  isTimeoutError,
} from '../errors/guards.ts';
import type { RetryEvent } from '../hooks/types.ts';
import type { ClinicBridgeOptions } from './options.ts';

const appointmentId = 'apt_aaaaaaaaaaaaaaaaaaaaaaaaaa';
const createBody = {
  patientId: 'pat_bbbbbbbbbbbbbbbbbbbbbbbbbb' as const,
  service: 'Consultation',
  startsAt: '2026-12-01T09:00:00Z',
  endsAt: '2026-12-01T09:30:00Z',
};

function setup(
  steps: Parameters<typeof scriptedFetch>[0],
  extra: Partial<ClinicBridgeOptions> = {},
) {
  const scripted = scriptedFetch(steps);
  const clock = fakeClock();
  const retries: RetryEvent[] = [];
  const client = new ClinicBridge({
    baseUrl: BASE_URL,
    apiKey: API_KEY,
    fetch: scripted.fetch,
    clock,
    random: () => 0.5,
    hooks: { onRetry: (e) => retries.push(e) },
    ...extra,
  } as ClinicBridgeOptions);
  return { client, clock, retries, requests: scripted.requests };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('retries', () => {
  it('retries 5xx with exponential backoff and full jitter, reporting each retry', async () => {
    const { client, clock, retries, requests } = setup([
      problem(503, 'service_unavailable'),
      problem(502, 'internal_error'),
      json(appointmentSample()),
    ]);
    const result = await client.appointments.get({ appointmentId }).withResponse();
    expect(result.attempts).toBe(3);
    expect(requests).toHaveLength(3);
    // random 0.5 × min(maxRetryDelay, 500 × 2^n)
    expect(clock.sleeps).toEqual([250, 500]);
    expect(retries.map((r) => [r.attempt, r.reason, r.requestId])).toEqual([
      [2, 'status_503', 'req_service_unavailable'],
      [3, 'status_502', 'req_internal_error'],
    ]);
  });

  it('reuses one Idempotency-Key across the retries of a write', async () => {
    const { client, requests } = setup([
      new TypeError('fetch failed'),
      problem(500, 'internal_error'),
      json(appointmentSample(), 201),
    ]);
    await client.appointments.create(createBody);
    const keys = requests.map((r) => r.headers.get('idempotency-key'));
    expect(keys[0]).toBeTruthy();
    expect(new Set(keys).size).toBe(1);
    const bodies = await Promise.all(requests.map((r) => r.text()));
    expect(new Set(bodies).size).toBe(1);
  });

  it('never retries a write sent without an idempotency key', async () => {
    const { client, requests } = setup([problem(503, 'service_unavailable'), json({}, 201)]);
    const error = await client.appointments
      .create(createBody, { idempotencyKey: null })
      .catch((e: unknown) => e);
    expect(isServerError(error)).toBe(true);
    expect(requests).toHaveLength(1);
    expect(requests[0]!.headers.get('idempotency-key')).toBeNull();
  });

  it('honours Retry-After, then RateLimit-Reset when Retry-After is absent', async () => {
    const { client, clock } = setup([
      problem(429, 'rate_limited', { 'retry-after': '3' }),
      problem(429, 'rate_limited', { 'ratelimit-remaining': '0', 'ratelimit-reset': '2' }),
      json(appointmentSample()),
    ]);
    await client.appointments.get({ appointmentId });
    expect(clock.sleeps).toEqual([3000, 2000]);
  });

  it('waits the reset of the structured RateLimit field when Retry-After is absent', async () => {
    const { client, clock } = setup([
      problem(429, 'rate_limited', {
        'ratelimit-policy': '"standard";q=600;w=60',
        ratelimit: '"standard";r=0;t=4',
      }),
      json(appointmentSample(), 200, {
        'ratelimit-policy': '"standard";q=600;w=60',
        ratelimit: '"standard";r=599;t=1',
      }),
    ]);
    const result = await client.appointments.get({ appointmentId }).withResponse();
    expect(clock.sleeps).toEqual([4000]);
    expect(result.rateLimit).toEqual({ limit: 600, remaining: 599, reset: 1 });
  });

  it('gives up at once when the server asks for a wait above maxRetryDelay', async () => {
    const { client, clock, requests } = setup([
      problem(429, 'rate_limited', { 'retry-after': '120' }),
      json(appointmentSample()),
    ]);
    const error = await client.appointments.get({ appointmentId }).catch((e: unknown) => e);
    expect(isRateLimitError(error)).toBe(true);
    if (isRateLimitError(error)) {
      expect(error.retryAfter).toBe(120);
      expect(error.requestId).toBe('req_rate_limited');
    }
    expect(requests).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('never waits past the overall deadline', async () => {
    const { client, clock, requests } = setup(
      [
        problem(503, 'service_unavailable', { 'retry-after': '4' }),
        problem(503, 'service_unavailable', { 'retry-after': '4' }),
        json(appointmentSample()),
      ],
      { retry: { deadline: 6_000 } },
    );
    const error = await client.appointments.get({ appointmentId }).catch((e: unknown) => e);
    expect(isServerError(error)).toBe(true);
    expect(requests).toHaveLength(2);
    expect(clock.sleeps).toEqual([4000]);
  });

  it('retries 409 idempotency_in_flight but not other conflicts', async () => {
    const inFlight = setup([problem(409, 'idempotency_in_flight'), json(appointmentSample())]);
    await inFlight.client.appointments.cancel({ appointmentId }, { reason: 'moved away' });
    expect(inFlight.requests).toHaveLength(2);

    const conflict = setup([problem(409, 'invalid_state_transition'), json(appointmentSample())]);
    const error = await conflict.client.appointments
      .cancel({ appointmentId }, { reason: 'moved away' })
      .catch((e: unknown) => e);
    expect(isConflictError(error)).toBe(true);
    expect(conflict.requests).toHaveLength(1);
  });

  it('stops after maxRetries (per request overrides per client) and throws the last error', async () => {
    const { client, requests, retries } = setup(
      [new TypeError('a'), new TypeError('b'), new TypeError('c'), new TypeError('d')],
      { retry: { maxRetries: 1 } },
    );
    const error = await client.appointments
      .get({ appointmentId }, { retry: { maxRetries: 2 } })
      .catch((e: unknown) => e);
    expect(isConnectionError(error)).toBe(true);
    expect(requests).toHaveLength(3);
    expect(retries.every((r) => r.reason === 'connection_error')).toBe(true);
  });

  it('does not retry 4xx other than 408 and 429', async () => {
    const { client, requests } = setup([problem(422, 'payment_exceeds_balance'), json({})]);
    await expect(
      client.payments.create({
        invoiceId: 'inv_aaaaaaaaaaaaaaaaaaaaaaaaaa',
        amount: { amount: 100, currency: 'EUR' },
        method: 'card',
        source: 'terminal',
      }),
    ).rejects.toMatchObject({ name: 'ValidationError', code: 'payment_exceeds_balance' });
    expect(requests).toHaveLength(1);
  });
});

describe('timeouts and cancellation', () => {
  const hanging = (request: Request) =>
    new Promise<Response>((_, reject) => {
      request.signal.addEventListener('abort', () => reject(request.signal.reason));
    });

  it('times out an attempt that gets no response, retries it, then throws TimeoutError', async () => {
    vi.useFakeTimers();
    const { client, requests } = setup([hanging, hanging], {
      timeout: 1_000,
      retry: { maxRetries: 1 },
    });
    const pending = client.appointments.get({ appointmentId }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(2_500);
    const error = await pending;
    expect(isTimeoutError(error)).toBe(true);
    expect(requests).toHaveLength(2);
  });

  it('per-request timeout overrides the client timeout', async () => {
    vi.useFakeTimers();
    const { client } = setup([hanging], { timeout: 60_000, retry: { maxRetries: 0 } });
    const pending = client.appointments
      .get({ appointmentId }, { timeout: 100 })
      .catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(150);
    expect(isTimeoutError(await pending)).toBe(true);
  });

  it('aborts through the caller signal, in flight and while waiting to retry', async () => {
    const inFlight = setup([hanging]);
    const controller = new AbortController();
    const pending = inFlight.client.appointments
      .get({ appointmentId }, { signal: controller.signal })
      .catch((e: unknown) => e);
    await Promise.resolve();
    controller.abort();
    expect(isAbortError(await pending)).toBe(true);

    const waiting = new AbortController();
    const sleeping = setup([problem(503, 'service_unavailable'), json(appointmentSample())], {
      clock: {
        now: () => 0,
        sleep: (_ms, signal) =>
          new Promise((_, reject) => {
            waiting.abort();
            reject(signal?.reason);
          }),
      },
    });
    const error = await sleeping.client.appointments
      .get({ appointmentId }, { signal: waiting.signal })
      .catch((e: unknown) => e);
    expect(isAbortError(error)).toBe(true);
    expect(sleeping.requests).toHaveLength(1);
  });
});

describe('tracing and response metadata', () => {
  const given = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

  it('forwards the caller traceparent on every attempt, per client or per call', async () => {
    const { client, requests } = setup(
      [problem(503, 'service_unavailable'), json(appointmentSample()), json(appointmentSample())],
      { traceparent: () => given },
    );
    await client.appointments.get({ appointmentId });
    const perCall = '00-11111111111111111111111111111111-2222222222222222-00';
    await client.appointments.get({ appointmentId }, { traceparent: perCall });
    expect(requests.map((r) => r.headers.get('traceparent'))).toEqual([given, given, perCall]);
  });

  it('starts one trace per call when none is given, shared by its retries', async () => {
    const { client, requests } = setup([
      problem(503, 'service_unavailable'),
      json(appointmentSample()),
      json(appointmentSample()),
    ]);
    await client.appointments.get({ appointmentId }, { traceparent: 'not-a-traceparent' });
    await client.appointments.get({ appointmentId });
    const [a, b, c] = requests.map((r) => r.headers.get('traceparent'));
    expect(a).toMatch(/^00-[\da-f]{32}-[\da-f]{16}-01$/);
    expect(b).toBe(a);
    expect(c).not.toBe(a);
  });

  it('reports rate-limit headers and the attempt count with the data', async () => {
    const { client } = setup([
      json(appointmentSample(), 200, {
        'ratelimit-limit': '100',
        'ratelimit-remaining': '7',
        'ratelimit-reset': '30',
      }),
    ]);
    const result = await client.appointments.get({ appointmentId }).withResponse();
    expect(result.rateLimit).toEqual({ limit: 100, remaining: 7, reset: 30 });
    expect(result.attempts).toBe(1);
    expect(result.requestId).toBe('req_200');
  });
});
