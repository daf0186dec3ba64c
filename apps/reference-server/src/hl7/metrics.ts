/**
 * Prometheus metrics of the HL7 v2 listener: messages by outcome, the time
 * from a complete frame to its ACK (the inbox commit included), open MLLP
 * connections, and how many messages each inbox commit carried.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/**
 * The listener's metrics.
 *
 * @example
 * metrics.messages.inc({ outcome: 'accepted' });
 */
export interface Hl7Metrics {
  readonly messages: Counter<'outcome'>;
  readonly ackSeconds: Histogram;
  readonly batchSize: Histogram;
  readonly connections: Gauge;
}

/**
 * Registers the metrics on `registry` (once per registry).
 *
 * @example
 * const metrics = hl7Metrics(context.metrics.registry, () => listener.connections);
 */
export function hl7Metrics(registry: Registry, connections: () => number): Hl7Metrics {
  const existing = registry.getSingleMetric('hl7_messages_total');
  if (existing) {
    return {
      messages: existing as Counter<'outcome'>,
      ackSeconds: registry.getSingleMetric('hl7_ack_duration_seconds') as Histogram,
      batchSize: registry.getSingleMetric('hl7_inbox_batch_size') as Histogram,
      connections: registry.getSingleMetric('hl7_mllp_connections') as Gauge,
    };
  }
  return {
    messages: new Counter({
      name: 'hl7_messages_total',
      help: 'HL7 v2 messages received over MLLP, by outcome (accepted, duplicate, error, rejected, unparseable, unframed, storage_failed).',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    ackSeconds: new Histogram({
      name: 'hl7_ack_duration_seconds',
      help: 'Time from a complete MLLP frame to its accept ACK, the durable inbox write included.',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
    batchSize: new Histogram({
      name: 'hl7_inbox_batch_size',
      help: 'Messages per inbox commit (group commit).',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200],
      registers: [registry],
    }),
    connections: new Gauge({
      name: 'hl7_mllp_connections',
      help: 'Open MLLP connections.',
      registers: [registry],
      collect() {
        this.set(connections());
      },
    }),
  };
}
