/**
 * Properties of the retry loop over arbitrary failure sequences: it never
 * sleeps past the deadline, never exceeds maxRetries, never waits longer than
 * maxRetryDelay, and a write keeps one idempotency key (or, without one, is
 * sent once).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fakeClock } from '../__fixtures__/fake-clock.ts';
import { API_KEY, appointmentSample, BASE_URL } from '../__fixtures__/samples.ts';
import { json, problem, scriptedFetch } from '../__fixtures__/scripted-fetch.ts';
import { ClinicBridge } from '../clinic-bridge.ts';

const failure = fc.oneof(
  fc.constant(() => new TypeError('fetch failed')),
  fc.constantFrom(408, 500, 502, 503, 504).map((s) => () => problem(s, 'internal_error')),
  fc
    .integer({ min: 0, max: 90 })
    .map((seconds) => () => problem(429, 'rate_limited', { 'retry-after': String(seconds) })),
  fc.constant(() => problem(409, 'idempotency_in_flight')),
);

const scenario = fc.record({
  failures: fc.array(failure, { maxLength: 8 }),
  maxRetries: fc.integer({ min: 0, max: 6 }),
  baseDelay: fc.integer({ min: 1, max: 2_000 }),
  maxRetryDelay: fc.integer({ min: 1, max: 30_000 }),
  deadline: fc.integer({ min: 1, max: 120_000 }),
  random: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
  keyed: fc.boolean(),
});

describe('retry loop properties', () => {
  it('respects maxRetries, maxRetryDelay and the deadline; a write keeps its key', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const steps = [...s.failures.map((make) => make()), json(appointmentSample())];
        const scripted = scriptedFetch(steps);
        const clock = fakeClock();
        const start = clock.now();
        const client = new ClinicBridge({
          baseUrl: BASE_URL,
          apiKey: API_KEY,
          fetch: scripted.fetch,
          clock,
          random: () => s.random,
          retry: {
            maxRetries: s.maxRetries,
            baseDelay: s.baseDelay,
            maxRetryDelay: s.maxRetryDelay,
            deadline: s.deadline,
          },
        });
        const outcome = await client.appointments
          .cancel(
            { appointmentId: 'apt_aaaaaaaaaaaaaaaaaaaaaaaaaa' },
            { reason: 'moved away' },
            s.keyed ? {} : { idempotencyKey: null },
          )
          .then(
            () => 'ok',
            (e: Error) => e.name,
          );
        const sent = scripted.requests.length;
        expect(sent).toBeLessThanOrEqual(s.keyed ? s.maxRetries + 1 : 1);
        expect(clock.now() - start).toBeLessThan(s.deadline);
        for (const wait of clock.sleeps) expect(wait).toBeLessThanOrEqual(s.maxRetryDelay);
        const keys = new Set(scripted.requests.map((r) => r.headers.get('idempotency-key')));
        expect(keys.size).toBe(1);
        expect([...keys][0] === null).toBe(!s.keyed);
        // Success exactly when every failure fit in the retries the settings allowed.
        if (outcome === 'ok') expect(sent).toBe(s.failures.length + 1);
      }),
      { numRuns: 300 },
    );
  });
});
