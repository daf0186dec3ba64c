/**
 * Metrics of the CRM sync: `crm_sync_records_total{outcome}` (synced, kept,
 * skipped, manual, retried) counted by the job, and `crm_sync_queue_depth`,
 * the records waiting to be sent, read from the database when scraped.
 */
import type { Kysely } from 'kysely';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { DB } from '../db/schema.ts';

/**
 * How a pass settled a record.
 *
 * @example
 * const outcome: CrmSyncOutcome = 'kept';
 */
export type CrmSyncOutcome = 'synced' | 'kept' | 'skipped' | 'manual' | 'retried';

/**
 * Registers the CRM sync metrics; returns the counter's hook for the job.
 *
 * @example
 * const onSettled = registerCrmSyncMetrics(context.metrics.registry, context.db);
 */
export function registerCrmSyncMetrics(
  registry: Registry,
  db: Kysely<DB>,
): (outcome: CrmSyncOutcome) => void {
  const settled = new Counter({
    name: 'crm_sync_records_total',
    help: 'CRM sync records settled by the job, by outcome (synced, kept, skipped, manual, retried).',
    labelNames: ['outcome'],
    registers: [registry],
  });
  new Gauge({
    name: 'crm_sync_queue_depth',
    help: 'CRM sync records waiting to be sent.',
    registers: [registry],
    async collect() {
      const row = await db
        .selectFrom('crm_sync_records')
        .select((eb) => eb.fn.countAll<string | number>().as('n'))
        .where('status', '=', 'queued')
        .executeTakeFirstOrThrow();
      this.set(Number(row.n));
    },
  });
  return (outcome) => settled.inc({ outcome });
}
