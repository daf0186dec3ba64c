/**
 * @clinicbridge/adapters/segment — `AnalyticsSink` on a Segment-compatible
 * HTTP Tracking API (`POST /v1/batch`, Basic auth with the write key as user
 * name). Segment limits an event to 32 KB and a batch to 500 KB: an event
 * over the first is dropped (reported, never retried), and batches are split
 * to stay under the second. Segment deduplicates on `messageId`, so a
 * repeated batch is safe and is retried like a read.
 */
import { z } from 'zod';
import { type AdapterOptions, pickAdapterOptions } from '../core/adapter-options.ts';
import { basicAuth } from '../core/auth.ts';
import { createProviderClient } from '../core/client.ts';
import { type AnalyticsAck, AnalyticsEventSchema, type AnalyticsSink } from '../ports/analytics.ts';
import { parseInput } from '../ports/validate.ts';

/**
 * Segment's size limits, in bytes of JSON.
 *
 * @example
 * SEGMENT_LIMITS.eventBytes; // 32 KB
 */
export const SEGMENT_LIMITS = { eventBytes: 32 * 1024, batchBytes: 500 * 1024 } as const;

/**
 * Segment settings.
 *
 * @example
 * const options: SegmentOptions = { writeKey: process.env.SEGMENT_WRITE_KEY! };
 */
export interface SegmentOptions extends AdapterOptions {
  writeKey: string;
  /** Override of the limits, for compatible collectors with other ones. */
  limits?: { eventBytes?: number; batchBytes?: number };
  now?: () => Date;
}

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');

/**
 * Splits serialised events into batches whose JSON stays under `maxBytes`
 * (the envelope's bytes included).
 *
 * @example
 * splitBatches(events, 500 * 1024).length; // 1 for a small batch
 */
export function splitBatches<T>(events: readonly T[], maxBytes: number, envelopeBytes = 64): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let size = envelopeBytes;
  for (const event of events) {
    const eventBytes = bytes(event) + 1; // the comma
    if (current.length > 0 && size + eventBytes > maxBytes) {
      batches.push(current);
      current = [];
      size = envelopeBytes;
    }
    current.push(event);
    size += eventBytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * Creates the Segment batch sink.
 *
 * @example
 * const sink = createSegmentSink({ writeKey: process.env.SEGMENT_WRITE_KEY! });
 * await sink.sendBatch([trackEvent({ tenantKey, userId: 'pat_1', event: 'Quote Accepted', messageId: 'evt_1', at: new Date(), properties: {}, allowed: [] })]);
 */
export function createSegmentSink(options: SegmentOptions): AnalyticsSink {
  const client = createProviderClient({
    provider: 'segment',
    baseUrl: options.baseUrl ?? 'https://api.segment.io',
    auth: basicAuth(options.writeKey, ''),
    ...pickAdapterOptions(options),
  });
  const eventLimit = options.limits?.eventBytes ?? SEGMENT_LIMITS.eventBytes;
  const batchLimit = options.limits?.batchBytes ?? SEGMENT_LIMITS.batchBytes;
  const now = options.now ?? (() => new Date());

  return {
    provider: 'segment',
    async sendBatch(raw) {
      const events = parseInput(z.array(AnalyticsEventSchema), raw, 'segment', 'analytics.batch');
      const ack: AnalyticsAck = { accepted: 0, dropped: [] };
      const fitting = events.filter((event) => {
        if (bytes(event) <= eventLimit) return true;
        ack.dropped.push({ messageId: event.messageId, reason: 'too_large' });
        return false;
      });
      for (const batch of splitBatches(fitting, batchLimit, 128)) {
        await client.send({
          operation: 'analytics.batch',
          method: 'post',
          path: '/v1/batch',
          json: { batch, sentAt: now().toISOString() },
          // Segment deduplicates on messageId: resending a batch cannot count twice.
          readOnly: true,
        });
        ack.accepted += batch.length;
      }
      return ack;
    },
  };
}
