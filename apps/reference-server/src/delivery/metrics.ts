/**
 * Prometheus metrics of event delivery: attempts by outcome and their
 * latency, and — read from the database when scraped — the pending
 * delivery queue, the dead-letter queue, the undispatched event backlog and
 * disabled endpoints, as gauges.
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { DB } from '../db/schema.ts';
import type { AttemptRecord } from './claims.ts';

/**
 * Registers the delivery metrics; returns the hook that counts recorded attempts.
 *
 * @example
 * const onRecorded = registerDeliveryMetrics(metrics.registry, db);
 * const bus = await createEventBus({ database, config, onRecorded });
 */
export function registerDeliveryMetrics(
  registry: Registry,
  db: Kysely<DB>,
): (records: readonly AttemptRecord[]) => void {
  const attempts = new Counter({
    name: 'webhook_deliveries_total',
    help: 'Webhook delivery attempts by outcome (succeeded, failed, dead).',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'webhook_delivery_duration_seconds',
    help: 'Duration of webhook delivery attempts by outcome.',
    labelNames: ['outcome'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15],
    registers: [registry],
  });
  const depth = new Gauge({
    name: 'webhook_queue_depth',
    help: 'Rows waiting, by queue: deliveries (pending or retrying), dead_letters, events (not yet fanned out), disabled_endpoints.',
    labelNames: ['queue'],
    registers: [registry],
    async collect() {
      const { rows } = await sql<{ queue: string; n: number }>`
        select 'deliveries' as queue, count(*)::int as n from deliveries where status in ('pending', 'failed')
        union all select 'dead_letters', count(*)::int from deliveries where status = 'dead'
        union all select 'events', count(*)::int from event_queue
        union all select 'disabled_endpoints', count(*)::int from webhook_endpoints where not enabled`.execute(
        db,
      );
      for (const row of rows) this.set({ queue: row.queue }, row.n);
    },
  });
  void depth;
  return (records) => {
    for (const record of records) {
      attempts.inc({ outcome: record.status });
      latency.observe({ outcome: record.status }, record.latencyMs / 1_000);
    }
  };
}
