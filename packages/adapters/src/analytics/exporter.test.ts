/** The buffered exporter: at-least-once, batching, freshness, breaker-open keeps events. */
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { sampleEvent } from '../ports/__fixtures__/analytics-sink.case.ts';
import { allowProperties, isForbiddenPropertyKey, pseudonymise } from '../ports/analytics.ts';
import { createSegmentSink } from '../segment/index.ts';
import { serverErrors } from '../testing/failures.ts';
import { FakeSegment, SEGMENT_API } from '../testing/segment.ts';
import { createBufferedAnalyticsExporter } from './index.ts';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function setup(maxBatch = 2, consecutiveFailures = 2) {
  const fake = new FakeSegment();
  server.use(...fake.handlers());
  let now = 1_000_000;
  const ticks: Array<() => void> = [];
  const exporter = createBufferedAnalyticsExporter({
    sink: createSegmentSink({
      writeKey: fake.writeKey,
      policies: {
        retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 2 },
        breaker: { consecutiveFailures },
      },
    }),
    maxBatch,
    flushIntervalMs: 5_000,
    clock: {
      now: () => now,
      every: (_ms, run) => {
        ticks.push(run);
        return () => ticks.splice(0);
      },
    },
  });
  return {
    fake,
    exporter,
    advance: (ms: number) => (now += ms),
    tick: () => {
      for (const run of ticks) run();
    },
  };
}

describe('buffered analytics exporter', () => {
  test('reaching maxBatch flushes; events leave the buffer only once acknowledged', async () => {
    const { fake, exporter } = setup(2);
    expect(exporter.enqueue(sampleEvent(1))).toBe(true);
    expect(fake.requests).toHaveLength(0);
    exporter.enqueue(sampleEvent(2));
    const result = await exporter.flush();
    expect(result.remaining).toBe(0);
    expect(fake.events).toHaveLength(2);
    expect(exporter.size()).toBe(0);
  });

  test('while the sink is down events are kept, freshness grows, and recovery delivers them', async () => {
    const { fake, exporter, advance } = setup(10);
    server.use(
      serverErrors({ method: 'post', url: `${SEGMENT_API}/v1/batch`, times: 1000 }).handler,
    );
    exporter.enqueue(sampleEvent(1));
    advance(30_000);
    exporter.enqueue(sampleEvent(2));
    const failed = await exporter.flush();
    expect(failed).toMatchObject({ sent: 0, remaining: 2, errorCode: 'provider_unavailable' });
    expect(exporter.freshnessMs()).toBe(30_000);
    const requests = fake.requests.length;
    const open = await exporter.flush(); // the breaker is open now: no call at all
    expect(open.remaining).toBe(2);
    expect(fake.requests.length).toBe(requests);
    expect(exporter.size()).toBe(2);
  });

  test('a failed flush keeps the events for the next one', async () => {
    const { fake, exporter } = setup(10, 5);
    server.use(serverErrors({ method: 'post', url: `${SEGMENT_API}/v1/batch`, times: 2 }).handler);
    exporter.enqueue(sampleEvent(1));
    expect((await exporter.flush()).remaining).toBe(1);
    expect(await exporter.flush()).toMatchObject({ sent: 1, remaining: 0 });
    expect(fake.events).toHaveLength(1);
    expect(exporter.freshnessMs()).toBe(0);
  });

  test('the interval flushes; stop makes a last flush', async () => {
    const { fake, exporter, tick } = setup(100);
    exporter.start();
    exporter.enqueue(sampleEvent(1));
    tick();
    await expect.poll(() => fake.events.length).toBe(1);
    exporter.enqueue(sampleEvent(2));
    expect((await exporter.stop()).remaining).toBe(0);
    expect(fake.events).toHaveLength(2);
  });

  test('a full buffer refuses new events', async () => {
    const fake = new FakeSegment();
    const exporter = createBufferedAnalyticsExporter({
      sink: createSegmentSink({ writeKey: fake.writeKey }),
      maxBatch: 10,
      flushIntervalMs: 1_000,
      maxBuffered: 1,
    });
    expect(exporter.enqueue(sampleEvent(1))).toBe(true);
    expect(exporter.enqueue(sampleEvent(2))).toBe(false);
  });
});

describe('pseudonymisation and the property allow-list', () => {
  test('pseudonyms are stable per tenant and differ across tenants', () => {
    const a = pseudonymise('tenant-a-key-0123456789', 'pat_1');
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(pseudonymise('tenant-a-key-0123456789', 'pat_1')).toBe(a);
    expect(pseudonymise('tenant-b-key-0123456789', 'pat_1')).not.toBe(a);
    expect(() => pseudonymise('short', 'pat_1')).toThrow(/16 characters/);
  });

  test('PII and clinical keys are dropped even when allowed; non-scalars too', () => {
    expect(
      allowProperties(
        { packageKind: 'dental', email: 'a@b.c', diagnosis: 'x', nested: { a: 1 }, nights: 3 },
        ['packageKind', 'email', 'diagnosis', 'nested', 'nights'],
      ),
    ).toEqual({ packageKind: 'dental', nights: 3 });
    for (const key of ['patientPhone', 'fullName', 'icd10', 'treatmentPlan', 'dateOfBirth'])
      expect(isForbiddenPropertyKey(key)).toBe(true);
  });
});
