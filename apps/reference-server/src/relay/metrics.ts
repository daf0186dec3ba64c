/**
 * Prometheus metrics of the relay, labelled by sink (`nats`, `rabbitmq`): publishes by outcome (relayed,
 * duplicate — acknowledged as a repeat inside the duplicate window — and
 * failed) and, read from the database when scraped, the backlog of events
 * not yet relayed to each sink, as a gauge.
 */
import { type Kysely, sql } from 'kysely';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { DB } from '../db/schema.ts';
import type { RelaySinkName } from './sink.ts';

/**
 * The outcome of one publish.
 *
 * @example
 * const outcome: PublishOutcome = 'duplicate';
 */
export type PublishOutcome = 'relayed' | 'duplicate' | 'failed';

/**
 * Registers the relay metrics; returns, per sink, the hook that counts its publishes.
 *
 * @example
 * const counterOf = registerRelayMetrics(metrics.registry, db);
 * counterOf('nats')('relayed');
 */
export function registerRelayMetrics(
  registry: Registry,
  db: Kysely<DB>,
): (sink: RelaySinkName) => (outcome: PublishOutcome) => void {
  const publishes = new Counter({
    name: 'relay_publishes_total',
    help: 'Event publishes to a broker by sink and outcome (relayed, duplicate, failed).',
    labelNames: ['sink', 'outcome'],
    registers: [registry],
  });
  const backlog = new Gauge({
    name: 'relay_backlog_events',
    help: 'Events marked for the relay and not yet acknowledged by the broker, by sink.',
    labelNames: ['sink'],
    registers: [registry],
    async collect() {
      const { rows } = await sql<{ sink: string; n: number }>`
        select t.sink, count(r.event_id)::int as n
        from (select distinct sink from relay_tenants) t
        left join relay_events r on r.sink = t.sink and r.relayed_at is null
        group by t.sink`.execute(db);
      this.reset();
      for (const row of rows) this.set({ sink: row.sink }, row.n);
    },
  });
  void backlog;
  return (sink) => (outcome) => publishes.inc({ sink, outcome });
}
