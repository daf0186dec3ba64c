import { ProviderError } from '@clinicbridge/adapters';
import { expect, test } from 'vitest';
import { ClinicPushDeferred } from './clinic-software.ts';
import { afterFailure, queuedOrder } from './queued-call.ts';

const policy = { maxAttempts: 5, retryAfterMs: 30_000 };
const now = new Date('2026-12-07T10:00:00Z');
const later = (ms: number) => new Date(now.getTime() + ms);
const providerError = (code: 'provider_unavailable' | 'invalid_request') =>
  new ProviderError({ code, provider: 'doktor365', operation: 'clinic.deals.put' });

test('a transient failure is retried after a doubling wait, capped at an hour', () => {
  const error = providerError('provider_unavailable');
  expect(afterFailure(error, 1, policy, now, ClinicPushDeferred)).toEqual({
    reason: 'provider_unavailable',
    retryAt: later(30_000),
  });
  expect(afterFailure(error, 3, policy, now, ClinicPushDeferred)).toEqual({
    reason: 'provider_unavailable',
    retryAt: later(120_000),
  });
  const patient = { maxAttempts: 100, retryAfterMs: 30_000 };
  expect(afterFailure(error, 40, patient, now, ClinicPushDeferred)).toEqual({
    reason: 'provider_unavailable',
    retryAt: later(3_600_000),
  });
});

test('a permanent refusal, or the last attempt, is handed over with why', () => {
  expect(
    afterFailure(providerError('invalid_request'), 1, policy, now, ClinicPushDeferred),
  ).toEqual({ reason: 'invalid_request', handOver: 'invalid_request' });
  expect(
    afterFailure(providerError('provider_unavailable'), 5, policy, now, ClinicPushDeferred),
  ).toEqual({
    reason: 'provider_unavailable',
    handOver: 'retries_exhausted',
  });
});

test("the queue's own deferral keeps its reason; anything else is a plain failure", () => {
  expect(
    afterFailure(new ClinicPushDeferred('timeout'), 1, policy, now, ClinicPushDeferred),
  ).toEqual({ reason: 'timeout', retryAt: later(30_000) });
  expect(afterFailure(new Error('boom'), 1, policy, now, ClinicPushDeferred)).toEqual({
    reason: 'failed',
    retryAt: later(30_000),
  });
});

test('claimed rows go oldest first, then by id', () => {
  const rows = [
    { id: 'b', at: '2026-12-07T10:00:01Z' },
    { id: 'c', at: '2026-12-07T10:00:00Z' },
    { id: 'a', at: new Date('2026-12-07T10:00:01Z') },
  ];
  expect(rows.toSorted((x, y) => queuedOrder(x.at, x.id, y.at, y.id)).map((r) => r.id)).toEqual([
    'c',
    'a',
    'b',
  ]);
});
