/**
 * Prometheus metrics of the relay: publishes by outcome (relayed,
 * duplicate — acknowledged as a repeat inside the duplicate window — and
 * failed) and, read from the database when scraped, the backlog of events
 * not yet relayed, as a gauge.
 */
import { type Kysely, sql } from 'kysely';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { DB } from '../db/schema.ts';

/**
 * The outcome of one publish.
 *
 * @example
 * const outcome: PublishOutcome = 'duplicate';
 */
export type PublishOutcome = 'relayed' | 'duplicate' | 'failed';

/**
 * Registers the relay metrics; returns the hook that counts publishes.
 *
 * @example
 * const onPublished = registerRelayMetrics(metrics.registry, db);
 * onPublished('relayed');
 */
export function registerRelayMetrics(
  registry: Registry,
  db: Kysely<DB>,
): (outcome: PublishOutcome) => void {
  const publishes = new Counter({
    name: 'relay_publishes_total',
    help: 'Event publishes to NATS JetStream by outcome (relayed, duplicate, failed).',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const backlog = new Gauge({
    name: 'relay_backlog_events',
    help: 'Events marked for the relay and not yet acknowledged by the broker.',
    registers: [registry],
    async collect() {
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from relay_events where relayed_at is null`.execute(db);
      this.set(rows[0]?.n ?? 0);
    },
  });
  void backlog;
  return (outcome) => publishes.inc({ outcome });
}
