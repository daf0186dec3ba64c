/** Manual-task fallback: what is recorded, when, and what is rethrown. */
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { json, scriptedFetch } from './__fixtures__/scripted-fetch.ts';
import { createProviderClient } from './client.ts';
import { ProviderError } from './errors.ts';
import { InMemoryManualTaskSink, withManualFallback } from './manual-tasks.ts';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
});
afterEach(() => {
  vi.useRealTimers();
});

const draft = {
  kind: 'travel' as const,
  provider: 'acme',
  operation: 'flights.search',
  subjectRef: 'trip_42',
  summary: 'Find flights IST to LHR on 2026-12-01 for 2 adults',
  details: { adults: 2 },
};

test('records a manual task when retries are spent and returns the fallback result', async () => {
  const { fetch, sent } = scriptedFetch([], json({}, 503));
  const client = createProviderClient({
    provider: 'acme',
    baseUrl: 'https://api.acme.test',
    fetch,
    policies: { retry: { maxRetries: 2, baseDelayMs: 10 } },
  });
  const sink = new InMemoryManualTaskSink();
  const pending = withManualFallback(
    { sink, task: draft, newId: () => 'mt_1', now: () => new Date('2026-11-22T07:00:00Z') },
    () => client.json({ operation: 'flights.search', path: '/flights', correlationId: 'corr_7' }),
    (task) => ({ manualTaskId: task.id, options: [] as unknown[] }),
  );
  await vi.advanceTimersByTimeAsync(1_000);
  await expect(pending).resolves.toEqual({ manualTaskId: 'mt_1', options: [] });
  expect(sent).toHaveLength(3);
  expect(sink.tasks).toEqual([
    {
      ...draft,
      id: 'mt_1',
      reason: 'provider_unavailable',
      details: { adults: 2, attempts: 3, circuitOpen: false },
      correlationId: 'corr_7',
      createdAt: '2026-11-22T07:00:00.000Z',
    },
  ]);
});

test('records the open circuit as the reason', async () => {
  const sink = new InMemoryManualTaskSink();
  const result = await withManualFallback(
    { sink, task: draft },
    () =>
      Promise.reject(
        new ProviderError({
          code: 'provider_unavailable',
          provider: 'acme',
          operation: 'x',
          circuitOpen: true,
          attempts: 0,
        }),
      ),
    (task) => task.reason,
  );
  expect(result).toBe('circuit_open');
  expect(sink.tasks[0]?.id).toMatch(/^mt_/);
});

test('definite answers are rethrown, not turned into manual work', async () => {
  const sink = new InMemoryManualTaskSink();
  const declined = new ProviderError({ code: 'rejected', provider: 'acme', operation: 'x' });
  await expect(
    withManualFallback(
      { sink, task: draft },
      () => Promise.reject(declined),
      () => 'manual',
    ),
  ).rejects.toBe(declined);
  expect(sink.tasks).toHaveLength(0);
});
