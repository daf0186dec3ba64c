/** Provider client: retries and backoff with fake timers, write safety, error mapping, metrics, PII-free logs. */
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { z } from 'zod';
import { json, scriptedFetch } from './__fixtures__/scripted-fetch.ts';
import { bearerAuth } from './auth.ts';
import { createProviderClient, type ProviderClientOptions } from './client.ts';
import { isProviderError, ProviderError } from './errors.ts';
import { InMemoryIdempotencyResultStore } from './idempotency.ts';
import type { IntegrationMetrics, LogFields } from './observability.ts';

const base = (overrides: Partial<ProviderClientOptions>): ProviderClientOptions => ({
  provider: 'acme',
  baseUrl: 'https://api.acme.test',
  auth: bearerAuth('sk_test_secret'),
  policies: { retry: { maxRetries: 3, baseDelayMs: 100, maxDelayMs: 1_000, random: () => 0.5 } },
  ...overrides,
});

const caught = async (promise: Promise<unknown>): Promise<ProviderError> => {
  try {
    await promise;
  } catch (error) {
    if (isProviderError(error)) return error;
    throw error;
  }
  throw new Error('expected a ProviderError');
};

describe('retries', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  test('retries 502/503/504 with exponential backoff and jitter, then succeeds', async () => {
    const { fetch, sent } = scriptedFetch([
      json({}, 502),
      json({}, 503),
      json({}, 504),
      json({ ok: true }, 200),
    ]);
    const client = createProviderClient(base({ fetch }));
    const result = client.json({ operation: 'things.get', path: '/things/1' });
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toHaveLength(1);
    // random() = 0.5 → delay = cap * 0.75: 75, 150, 300 ms.
    await vi.advanceTimersByTimeAsync(74);
    expect(sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(150);
    expect(sent).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(300);
    expect(sent).toHaveLength(4);
    await expect(result).resolves.toEqual({ ok: true });
  });

  test.each([500, 501, 505, 507])(
    'a %i is not retried (only 502/503/504 are), yet is provider_unavailable',
    async (status) => {
      const { fetch, sent } = scriptedFetch([json({}, status), json({ ok: true }, 200)]);
      const client = createProviderClient(base({ fetch }));
      const result = caught(client.json({ operation: 'things.get', path: '/things/1' }));
      await vi.advanceTimersByTimeAsync(10_000);
      const error = await result;
      expect(sent).toHaveLength(1);
      expect(error).toMatchObject({ code: 'provider_unavailable', status, attempts: 1 });
      expect(error.transient).toBe(true);
    },
  );

  test('a mapped "temporary" error on a non-5xx status is retried', async () => {
    const { fetch, sent } = scriptedFetch([
      json({ status: 'failure', errorCode: '1' }, 200),
      json({ status: 'success' }, 200),
    ]);
    const client = createProviderClient(
      base({
        fetch,
        mapError: ({ body }) =>
          (body as { status?: string }).status === 'failure'
            ? { code: 'provider_unavailable', providerCode: '1' }
            : undefined,
      }),
    );
    const result = client.json({ operation: 'things.get', path: '/things/1' });
    await vi.advanceTimersByTimeAsync(1_000);
    await expect(result).resolves.toEqual({ status: 'success' });
    expect(sent).toHaveLength(2);
  });

  test('gives up after maxRetries with the attempt count on the error', async () => {
    const { fetch, sent } = scriptedFetch([], json({}, 503));
    const client = createProviderClient(base({ fetch }));
    const result = caught(client.json({ operation: 'things.get', path: '/things/1' }));
    await vi.advanceTimersByTimeAsync(10_000);
    const error = await result;
    expect(sent).toHaveLength(4);
    expect(error.code).toBe('provider_unavailable');
    expect(error.attempts).toBe(4);
    expect(error.status).toBe(503);
  });

  test('honours Retry-After on 429 instead of its own backoff', async () => {
    const { fetch, sent } = scriptedFetch([
      json({}, 429, { 'retry-after': '2' }),
      json({ ok: true }, 200),
    ]);
    const client = createProviderClient(base({ fetch }));
    const result = client.json({ operation: 'things.get', path: '/things/1' });
    await vi.advanceTimersByTimeAsync(1_999);
    expect(sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent).toHaveLength(2);
    await expect(result).resolves.toEqual({ ok: true });
  });

  test('does not wait for a Retry-After beyond the bound', async () => {
    const { fetch, sent } = scriptedFetch([json({}, 429, { 'retry-after': '3600' })]);
    const client = createProviderClient(base({ fetch }));
    const error = await caught(client.json({ operation: 'things.get', path: '/things/1' }));
    expect(sent).toHaveLength(1);
    expect(error.code).toBe('rate_limited');
    expect(error.retryAfterMs).toBe(3_600_000);
  });

  test('never retries definite answers (4xx)', async () => {
    const { fetch, sent } = scriptedFetch([json({}, 400), json({}, 200)]);
    const client = createProviderClient(base({ fetch }));
    const error = await caught(client.json({ operation: 'things.get', path: '/things/1' }));
    expect(sent).toHaveLength(1);
    expect(error.code).toBe('invalid_request');
  });

  test('retries connection failures', async () => {
    const { fetch, sent } = scriptedFetch([new TypeError('fetch failed'), json({ ok: 1 }, 200)]);
    const client = createProviderClient(base({ fetch }));
    const result = client.json({ operation: 'things.get', path: '/things/1' });
    await vi.advanceTimersByTimeAsync(1_000);
    await expect(result).resolves.toEqual({ ok: 1 });
    expect(sent).toHaveLength(2);
  });

  test('a write retried with provider idempotency carries the same key every time', async () => {
    const { fetch, sent } = scriptedFetch([
      json({}, 503),
      json({}, 502),
      json({ id: 'ch_1' }, 200),
    ]);
    const client = createProviderClient(base({ fetch, idempotencyHeader: 'Idempotency-Key' }));
    const result = client.json({
      operation: 'charges.create',
      method: 'post',
      path: '/charges',
      form: { amount: 100 },
    });
    await vi.advanceTimersByTimeAsync(1_000);
    await expect(result).resolves.toEqual({ id: 'ch_1' });
    const keys = sent.map((r) => r.headers.get('idempotency-key'));
    expect(keys).toHaveLength(3);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(keys).size).toBe(1);
  });

  test('a write without provider idempotency is not retried after an ambiguous failure', async () => {
    const { fetch, sent } = scriptedFetch([json({}, 503), json({ id: 'm_1' }, 200)]);
    const client = createProviderClient(base({ fetch }));
    const error = await caught(
      client.json({
        operation: 'messages.send',
        method: 'post',
        path: '/messages',
        json: { to: 'x' },
      }),
    );
    expect(sent).toHaveLength(1);
    expect(error.code).toBe('provider_unavailable');
  });

  test('a write without provider idempotency is retried after 429 (nothing was done)', async () => {
    const { fetch, sent } = scriptedFetch([
      json({}, 429, { 'retry-after': '1' }),
      json({ id: 'm_1' }, 200),
    ]);
    const client = createProviderClient(base({ fetch }));
    const result = client.json({
      operation: 'messages.send',
      method: 'post',
      path: '/messages',
      json: {},
    });
    await vi.advanceTimersByTimeAsync(1_000);
    await expect(result).resolves.toEqual({ id: 'm_1' });
    expect(sent).toHaveLength(2);
  });

  test('a call may set its own per-attempt timeout', async () => {
    const { fetch } = scriptedFetch([], () => new Promise<Response>(() => undefined));
    const client = createProviderClient(
      base({ fetch, timeoutMs: 10_000, policies: { retry: { maxRetries: 0 } } }),
    );
    const result = caught(client.json({ operation: 'things.get', path: '/slow', timeoutMs: 300 }));
    let settled = false;
    void result.then(() => {
      settled = true;
    });
    await vi.advanceTimersByTimeAsync(299);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect((await result).code).toBe('timeout');
  });

  test('the total timeout bounds a call, retries and waits included', async () => {
    const { fetch, sent } = scriptedFetch([], json({}, 503, { 'retry-after': '20' }));
    const client = createProviderClient(
      base({ fetch, policies: { retry: { maxRetries: 5 }, totalTimeoutMs: 5_000 } }),
    );
    const result = caught(client.json({ operation: 'things.get', path: '/things/1' }));
    await vi.advanceTimersByTimeAsync(4_999);
    expect(sent).toHaveLength(1); // waiting out the 20 s Retry-After
    await vi.advanceTimersByTimeAsync(1);
    const error = await result;
    expect(error).toMatchObject({ code: 'timeout', attempts: 1 });
    expect(sent).toHaveLength(1);
  });

  test('per-attempt timeout maps to `timeout`', async () => {
    const { fetch } = scriptedFetch(
      [],
      (request) =>
        new Promise<Response>((_, reject) => {
          void request;
          // Never answers; ky aborts it after timeoutMs.
          setTimeout(() => reject(new Error('unreachable')), 1_000_000);
        }),
    );
    const client = createProviderClient(
      base({ fetch, timeoutMs: 500, policies: { retry: { maxRetries: 0 } } }),
    );
    const result = caught(client.json({ operation: 'things.get', path: '/slow' }));
    await vi.advanceTimersByTimeAsync(600);
    const error = await result;
    expect(error.code).toBe('timeout');
  });
});

describe('idempotent writes', () => {
  test('a repeated call with the same key is answered from the store, not sent again', async () => {
    const { fetch, sent } = scriptedFetch([json({ id: 'bk_1' }, 200)]);
    const client = createProviderClient(
      base({ fetch, idempotencyStore: new InMemoryIdempotencyResultStore() }),
    );
    const call = {
      operation: 'orders.create',
      method: 'post' as const,
      path: '/orders',
      json: {},
      idempotencyKey: 'trip_1',
    };
    const [a, b] = await Promise.all([client.send(call), client.send(call)]);
    const c = await client.send(call);
    expect(sent).toHaveLength(1);
    expect(a.data).toEqual({ id: 'bk_1' });
    expect(b.data).toEqual({ id: 'bk_1' });
    expect(c.replayed).toBe(true);
    expect(c.data).toEqual({ id: 'bk_1' });
  });
});

describe('errors, metrics and logs', () => {
  test('maps provider bodies through mapError and keeps the provider code and request id', async () => {
    const { fetch } = scriptedFetch([
      json(
        { error: { code: 'card_declined', message: 'Card of jane@example.com declined' } },
        402,
        { 'request-id': 'req_9' },
      ),
    ]);
    const client = createProviderClient(
      base({
        fetch,
        requestIdHeader: 'request-id',
        mapError: ({ body }) => {
          const code = (body as { error?: { code?: string } })?.error?.code;
          return code === 'card_declined' ? { code: 'rejected', providerCode: code } : undefined;
        },
      }),
    );
    const error = await caught(
      client.json({
        operation: 'payments.capture',
        method: 'post',
        path: '/c',
        correlationId: 'corr_1',
      }),
    );
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({
      code: 'rejected',
      providerCode: 'card_declined',
      providerRequestId: 'req_9',
      provider: 'acme',
      operation: 'payments.capture',
      correlationId: 'corr_1',
      status: 402,
    });
    expect(JSON.stringify(error)).not.toContain('jane@example.com');
    expect(error.message).not.toContain('jane');
  });

  test('a 200 reported as failure by mapError becomes an error', async () => {
    const { fetch } = scriptedFetch([json({ status: 'failure', errorCode: '10051' }, 200)]);
    const client = createProviderClient(
      base({
        fetch,
        mapError: ({ body }) =>
          (body as { status?: string }).status === 'failure'
            ? { code: 'rejected', providerCode: '10051' }
            : undefined,
      }),
    );
    const error = await caught(client.json({ operation: 'p', path: '/p' }));
    expect(error).toMatchObject({ code: 'rejected', providerCode: '10051', status: 200 });
  });

  test('an unexpected success shape is reported with field paths only', async () => {
    const { fetch } = scriptedFetch([json({ id: 42, phone: '+905551112233' }, 200)]);
    const client = createProviderClient(base({ fetch }));
    const error = await caught(
      client.json({ operation: 'p', path: '/p', schema: z.object({ id: z.string() }) }),
    );
    expect(error.code).toBe('provider_unavailable');
    expect(error.fields).toEqual(['id']);
    expect(JSON.stringify(error)).not.toContain('+905551112233');
  });

  test('records request, duration and error metrics per attempt', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const requests: unknown[] = [];
    const errors: unknown[] = [];
    const metrics: IntegrationMetrics = {
      requestCompleted: (e) => requests.push({ ...e, durationSeconds: typeof e.durationSeconds }),
      errorRecorded: (e) => errors.push(e),
    };
    const { fetch } = scriptedFetch([json({}, 503), json({}, 200)]);
    const client = createProviderClient(base({ fetch, metrics }));
    const result = client.json({ operation: 'things.get', path: '/t' });
    await vi.advanceTimersByTimeAsync(1_000);
    await result;
    vi.useRealTimers();
    expect(requests).toEqual([
      {
        provider: 'acme',
        operation: 'things.get',
        status: 'provider_unavailable',
        durationSeconds: 'number',
      },
      { provider: 'acme', operation: 'things.get', status: 'ok', durationSeconds: 'number' },
    ]);
    expect(errors).toEqual([{ provider: 'acme', errorType: 'provider_unavailable' }]);
  });

  test('logs carry no request body, secret or personal data', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const lines: Array<[string, LogFields]> = [];
    const logger = { warn: (message: string, fields: LogFields) => lines.push([message, fields]) };
    const { fetch } = scriptedFetch([
      json({ message: 'Too many messages to +905551112233' }, 429, { 'retry-after': '1' }),
      json({ message: 'Invalid recipient ayse.yilmaz@example.com' }, 400),
    ]);
    const client = createProviderClient(base({ fetch, logger }));
    const result = caught(
      client.json({
        operation: 'messages.send',
        method: 'post',
        path: '/messages',
        json: { to: '+905551112233', email: 'ayse.yilmaz@example.com', name: 'Ayşe Yılmaz' },
      }),
    );
    await vi.advanceTimersByTimeAsync(2_000);
    const error = await result;
    vi.useRealTimers();
    expect(lines.length).toBeGreaterThanOrEqual(2);
    const everything =
      JSON.stringify(lines) + JSON.stringify(error) + error.message + String(error.stack);
    for (const secret of ['+905551112233', 'ayse.yilmaz@example.com', 'Ayşe', 'sk_test_secret']) {
      expect(everything).not.toContain(secret);
    }
  });
});
