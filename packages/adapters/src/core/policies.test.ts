/** Circuit breaker, bulkhead and backoff schedule, with fake timers. */
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { json, scriptedFetch } from './__fixtures__/scripted-fetch.ts';
import { createProviderClient } from './client.ts';
import { isProviderError, ProviderError } from './errors.ts';
import type { BreakerState } from './observability.ts';
import { createProviderPolicies, retryDelayMs } from './policies.ts';

describe('circuit breaker', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  test('opens after consecutive failures, fails fast, then recovers through half-open', async () => {
    const { fetch, sent } = scriptedFetch(
      [json({}, 503), json({}, 503), json({}, 503)],
      json({ ok: true }, 200),
    );
    const states: BreakerState[] = [];
    const client = createProviderClient({
      provider: 'acme',
      baseUrl: 'https://api.acme.test',
      fetch,
      policies: {
        retry: { maxRetries: 0 },
        breaker: { consecutiveFailures: 3, halfOpenAfterMs: 10_000 },
      },
      metrics: {
        requestCompleted() {},
        errorRecorded() {},
        breakerStateChanged: (e) => states.push(e.state),
      },
    });
    const call = () => client.json({ operation: 't', path: '/t' }).catch((e: unknown) => e);
    for (let i = 0; i < 3; i++) await call();
    expect(client.policies.breakerState).toBe('open');

    const refused = await call();
    expect(isProviderError(refused) && refused.circuitOpen).toBe(true);
    expect(refused).toMatchObject({ code: 'provider_unavailable', attempts: 0 });
    expect(sent).toHaveLength(3); // the open circuit did not call the provider

    await vi.advanceTimersByTimeAsync(10_000);
    await expect(call()).resolves.toEqual({ ok: true });
    expect(client.policies.breakerState).toBe('closed');
    expect(states).toEqual(['open', 'half_open', 'closed']);
  });

  test('a failed half-open trial opens the circuit again', async () => {
    const { fetch } = scriptedFetch([], json({}, 503));
    const client = createProviderClient({
      provider: 'acme',
      baseUrl: 'https://api.acme.test',
      fetch,
      policies: {
        retry: { maxRetries: 0 },
        breaker: { consecutiveFailures: 2, halfOpenAfterMs: 1_000 },
      },
    });
    const call = () => client.json({ operation: 't', path: '/t' }).catch((e: unknown) => e);
    await call();
    await call();
    await vi.advanceTimersByTimeAsync(1_000);
    await call();
    expect(client.policies.breakerState).toBe('open');
  });

  test('definite answers (4xx) do not open the circuit', async () => {
    const { fetch } = scriptedFetch([], json({}, 400));
    const client = createProviderClient({
      provider: 'acme',
      baseUrl: 'https://api.acme.test',
      fetch,
      policies: { breaker: { consecutiveFailures: 2 } },
    });
    for (let i = 0; i < 5; i++)
      await client.json({ operation: 't', path: '/t' }).catch(() => undefined);
    expect(client.policies.breakerState).toBe('closed');
  });
});

describe('bulkhead', () => {
  test('limits concurrency and fails fast beyond the queue', async () => {
    const policies = createProviderPolicies({ bulkhead: { limit: 2, queue: 1 } });
    let running = 0;
    let peak = 0;
    const release: Array<() => void> = [];
    const task = () =>
      policies.execute(
        () =>
          new Promise<void>((resolve) => {
            running += 1;
            peak = Math.max(peak, running);
            release.push(() => {
              running -= 1;
              resolve();
            });
          }),
        { provider: 'acme', operation: 't', mayRetry: () => true },
      );
    const accepted = [task(), task(), task()];
    const rejected = await task().catch((e: unknown) => e);
    expect(rejected).toBeInstanceOf(ProviderError);
    expect(rejected).toMatchObject({ code: 'provider_unavailable' });
    while (release.length > 0 || running > 0) {
      release.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(accepted);
    expect(peak).toBe(2);
  });
});

describe('retryDelayMs', () => {
  test('grows exponentially, is capped, and stays within [cap/2, cap]', () => {
    const settings = { baseDelayMs: 100, maxDelayMs: 1_000 };
    expect(retryDelayMs(1, { ...settings, random: () => 0 })).toBe(50);
    expect(retryDelayMs(1, { ...settings, random: () => 0.999999 })).toBe(100);
    expect(retryDelayMs(3, { ...settings, random: () => 0 })).toBe(200);
    expect(retryDelayMs(10, { ...settings, random: () => 0 })).toBe(500);
  });

  test('uses the provider Retry-After when present', () => {
    const error = new ProviderError({
      code: 'rate_limited',
      provider: 'x',
      operation: 'y',
      retryAfterMs: 4_000,
    });
    expect(retryDelayMs(1, {}, error)).toBe(4_000);
  });
});
