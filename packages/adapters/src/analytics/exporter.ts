/**
 * A buffered, at-least-once analytics exporter in front of any
 * `AnalyticsSink`. Events stay in the buffer until the sink acknowledges
 * them; a failed flush keeps them for the next one (the sink deduplicates on
 * `messageId`, so a redelivered event counts once). Freshness — the age of
 * the oldest unsent event — is the number to alert on: it grows while the
 * sink is down and falls back to zero when it recovers.
 */
import { isProviderError } from '../core/errors.ts';
import {
  type AnalyticsEvent,
  AnalyticsEventSchema,
  type AnalyticsSink,
} from '../ports/analytics.ts';
import { parseInput } from '../ports/validate.ts';

/**
 * Settings of {@link createBufferedAnalyticsExporter}.
 *
 * @example
 * const options: BufferedAnalyticsExporterOptions = { sink, maxBatch: 100, flushIntervalMs: 5_000 };
 */
export interface BufferedAnalyticsExporterOptions {
  sink: AnalyticsSink;
  /** Events per flush; reaching it triggers a flush. */
  maxBatch: number;
  /** Flush at least this often once `start()` was called. */
  flushIntervalMs: number;
  /** Events held at most; beyond it `enqueue` refuses (the caller keeps them). Default 10 000. */
  maxBuffered?: number;
  clock?: {
    now(): number;
    /** Schedules `run` every `ms`; returns a stop function. Default `setInterval`. */
    every?(ms: number, run: () => void): () => void;
  };
}

/**
 * Result of one flush.
 *
 * @example
 * const { sent, remaining } = await exporter.flush();
 */
export interface FlushResult {
  sent: number;
  dropped: number;
  remaining: number;
  /** Internal code of the failure that stopped the flush, if any. */
  errorCode?: string;
}

/**
 * The exporter.
 *
 * @example
 * exporter.enqueue(event);
 * metrics.gauge('analytics_export_freshness_seconds', exporter.freshnessMs() / 1000);
 */
export interface BufferedAnalyticsExporter {
  /** Buffers an event; false when the buffer is full. */
  enqueue(event: AnalyticsEvent): boolean;
  /** Sends what is buffered, `maxBatch` at a time, until empty or a failure. */
  flush(): Promise<FlushResult>;
  /** Age in ms of the oldest event not yet acknowledged; 0 when none. */
  freshnessMs(): number;
  /** Events waiting. */
  size(): number;
  start(): void;
  /** Stops the timer and makes a last flush. */
  stop(): Promise<FlushResult>;
}

/**
 * Creates the buffered exporter.
 *
 * @example
 * const exporter = createBufferedAnalyticsExporter({ sink: createSegmentSink({ writeKey }), maxBatch: 100, flushIntervalMs: 5_000 });
 * exporter.start();
 */
export function createBufferedAnalyticsExporter(
  options: BufferedAnalyticsExporterOptions,
): BufferedAnalyticsExporter {
  const now = options.clock?.now ?? Date.now;
  const every =
    options.clock?.every ??
    ((ms: number, run: () => void) => {
      const timer = setInterval(run, ms);
      timer.unref?.();
      return () => clearInterval(timer);
    });
  const maxBuffered = options.maxBuffered ?? 10_000;
  const buffer: Array<{ event: AnalyticsEvent; queuedAt: number }> = [];
  let flushing: Promise<FlushResult> | undefined;
  let stopTimer: (() => void) | undefined;

  async function drain(): Promise<FlushResult> {
    let sent = 0;
    let dropped = 0;
    while (buffer.length > 0) {
      const batch = buffer.slice(0, options.maxBatch);
      try {
        const ack = await options.sink.sendBatch(batch.map((entry) => entry.event));
        sent += ack.accepted;
        dropped += ack.dropped.length;
      } catch (error) {
        return {
          sent,
          dropped,
          remaining: buffer.length,
          errorCode: isProviderError(error) ? error.code : 'unknown',
        };
      }
      // Acknowledged (or dropped for good): only now do they leave the buffer.
      buffer.splice(0, batch.length);
    }
    return { sent, dropped, remaining: 0 };
  }

  function flush(): Promise<FlushResult> {
    flushing ??= drain().finally(() => {
      flushing = undefined;
    });
    return flushing;
  }

  return {
    enqueue(raw) {
      const event = parseInput(
        AnalyticsEventSchema,
        raw,
        options.sink.provider,
        'analytics.enqueue',
      );
      if (buffer.length >= maxBuffered) return false;
      buffer.push({ event, queuedAt: now() });
      if (buffer.length >= options.maxBatch) void flush();
      return true;
    },
    flush,
    freshnessMs() {
      const oldest = buffer[0];
      return oldest ? Math.max(0, now() - oldest.queuedAt) : 0;
    },
    size: () => buffer.length,
    start() {
      stopTimer ??= every(options.flushIntervalMs, () => void flush());
    },
    async stop() {
      stopTimer?.();
      stopTimer = undefined;
      return flush();
    },
  };
}
