/** Segment sink against the fake: conformance, size limits, batch splitting. */
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import {
  describeAnalyticsSinkConformance,
  sampleEvent,
} from '../ports/__fixtures__/analytics-sink.case.ts';
import { FakeSegment, SEGMENT_API } from '../testing/segment.ts';
import { createSegmentSink, splitBatches } from './index.ts';

const fast = { retry: { baseDelayMs: 1, maxDelayMs: 2 } };

describeAnalyticsSinkConformance({
  name: 'segment',
  batchUrl: `${SEGMENT_API}/v1/batch`,
  setup() {
    const fake = new FakeSegment();
    return {
      sink: createSegmentSink({ writeKey: fake.writeKey, policies: fast }),
      badCredentials: createSegmentSink({ writeKey: 'revoked-write-key', policies: fast }),
      handlers: fake.handlers(),
      received: () => fake.events,
      secrets: ['revoked-write-key', fake.writeKey],
    };
  },
});

describe('segment specifics', () => {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  test('an event over 32 KB is dropped and reported; the rest is sent', async () => {
    const fake = new FakeSegment();
    server.use(...fake.handlers());
    const sink = createSegmentSink({ writeKey: fake.writeKey, policies: fast });
    const huge = {
      ...sampleEvent(1),
      properties: Object.fromEntries(
        Array.from({ length: 80 }, (_, i) => [`k${i}`, 'x'.repeat(500)]),
      ),
    };
    const ack = await sink.sendBatch([huge, sampleEvent(2)]);
    expect(ack).toEqual({ accepted: 1, dropped: [{ messageId: 'evt_1', reason: 'too_large' }] });
    expect(fake.events.map((e) => e.messageId)).toEqual(['evt_2']);
  });

  test('batches over 500 KB are split into several requests under the limit', async () => {
    const fake = new FakeSegment();
    server.use(...fake.handlers());
    const sink = createSegmentSink({ writeKey: fake.writeKey, policies: fast });
    const events = Array.from({ length: 60 }, (_, n) => ({
      ...sampleEvent(n),
      properties: Object.fromEntries(
        Array.from({ length: 50 }, (_, i) => [`k${i}`, 'y'.repeat(500)]),
      ),
    }));
    const ack = await sink.sendBatch(events);
    expect(ack.accepted).toBe(60);
    expect(fake.requests.length).toBeGreaterThan(1);
    for (const body of fake.requests)
      expect(Buffer.byteLength(body)).toBeLessThanOrEqual(500 * 1024);
    expect(fake.events).toHaveLength(60);
  });

  test('splitBatches keeps order and never leaves a batch empty', () => {
    const batches = splitBatches(['aaaa', 'bbbb', 'cccc'], 20, 0);
    expect(batches.flat()).toEqual(['aaaa', 'bbbb', 'cccc']);
    expect(batches.every((b) => b.length > 0)).toBe(true);
    expect(batches.length).toBeGreaterThan(1);
  });

  test('the body is the Segment batch envelope', async () => {
    const fake = new FakeSegment();
    server.use(...fake.handlers());
    const sink = createSegmentSink({
      writeKey: fake.writeKey,
      now: () => new Date('2026-12-02T10:00:05Z'),
    });
    await sink.sendBatch([sampleEvent(1)]);
    const body = JSON.parse(fake.requests[0]!);
    expect(body.sentAt).toBe('2026-12-02T10:00:05.000Z');
    expect(body.batch[0]).toMatchObject({
      type: 'track',
      event: 'Quote Accepted',
      messageId: 'evt_1',
    });
    expect(body.batch[0].userId).toMatch(/^[0-9a-f]{64}$/);
  });
});
