/**
 * The analytics export: rows of `analytics_events` (already pseudonymised
 * by `pseudonymiser.ts`) sent in batches to the configured analytics sink
 * (a Segment-compatible batch API), at least once. The table is the
 * buffer: a process leases up to a batch of unexported rows (`FOR UPDATE
 * SKIP LOCKED`, so several processes share the work), sends them, and
 * marks them exported only after the sink acknowledged them. A crash or a
 * failure in between sends them again after the lease (the sink
 * deduplicates on `messageId`, the row's pseudonymous event id). While the
 * sink fails, the job backs off (1 s doubling to 60 s) and the rows wait;
 * freshness — the age of the oldest unexported row — is the gauge to alert on.
 */
import { type AnalyticsEvent, type AnalyticsSink, isProviderError } from '@clinicbridge/adapters';
import { allowProperties } from '@clinicbridge/adapters/analytics';
import { type Kysely, sql } from 'kysely';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { DB } from '../db/schema.ts';

/**
 * Options of {@link analyticsExportJob}.
 *
 * @example
 * analyticsExportJob({ db, sink: providers.analyticsSink, batchSize: 100, leaseMs: 60_000 });
 */
export interface AnalyticsExportOptions {
  readonly db: Kysely<DB>;
  readonly sink: AnalyticsSink;
  /** Rows per batch (Segment allows 500 KB a batch; the adapter splits larger ones). */
  readonly batchSize: number;
  /** How long a process holds the rows it sends before another may send them. */
  readonly leaseMs: number;
  readonly onExported?: (outcome: ExportOutcome, count: number) => void;
  readonly onError?: (error: unknown) => void;
  /** Back-off after a failure: first and longest wait (default 1 s and 60 s). */
  readonly backoffMs?: { readonly first: number; readonly max: number };
}

/**
 * What happened to exported rows: acknowledged, dropped for good by the
 * sink (too large), or failed (sent again later).
 *
 * @example
 * const outcome: ExportOutcome = 'exported';
 */
export type ExportOutcome = 'exported' | 'dropped' | 'failed';

const HEX64 = /^[0-9a-f]{64}$/;

interface ClaimedRow {
  event_id: string;
  tenant_ref: string;
  type: string;
  occurred_at: Date | string;
  data: Record<string, unknown> | string;
}

/**
 * The Segment-compatible event of an `analytics_events` row: `userId` is the
 * pseudonym of the person (`patientId`, else `leadId`) or, for events about
 * no person, of the tenant; properties are the row's scalar values, minus
 * any key that looks like personal or clinical data.
 *
 * @example
 * const event = toAnalyticsEvent(row); // { messageId: row.event_id, type: 'track', event: 'appointment.created', … }
 */
export function toAnalyticsEvent(row: ClaimedRow): AnalyticsEvent {
  const data = (typeof row.data === 'string' ? JSON.parse(row.data) : row.data) as Record<
    string,
    unknown
  >;
  const person = [data.patientId, data.leadId].find(
    (value): value is string => typeof value === 'string' && HEX64.test(value),
  );
  return {
    messageId: row.event_id,
    type: 'track',
    event: row.type,
    userId: person ?? row.tenant_ref,
    timestamp: new Date(row.occurred_at).toISOString(),
    properties: { ...allowProperties(data, Object.keys(data)), tenantRef: row.tenant_ref },
  };
}

/**
 * The export job: one batch per scheduler pass; resolves to the rows acknowledged.
 *
 * @example
 * const jobs: BusJob[] = [analyticsExportJob(options)];
 */
export function analyticsExportJob(
  options: AnalyticsExportOptions,
): (now: Date) => Promise<number> {
  const backoff = options.backoffMs ?? { first: 1_000, max: 60_000 };
  let failures = 0;
  let retryAt = 0;
  return async (now) => {
    if (now.getTime() < retryAt) return 0;
    const leaseUntil = new Date(now.getTime() + options.leaseMs);
    const { rows } = await sql<ClaimedRow>`
      update analytics_events set export_lease_until = ${leaseUntil}
      where event_id in (
        select event_id from analytics_events
        where exported_at is null and (export_lease_until is null or export_lease_until < ${now})
        order by recorded_at, event_id
        limit ${options.batchSize}
        for update skip locked
      )
      returning event_id, tenant_ref, type, occurred_at, data`.execute(options.db);
    if (rows.length === 0) return 0;
    const ids = rows.map((row) => row.event_id);
    try {
      const ack = await options.sink.sendBatch(rows.map(toAnalyticsEvent));
      await options.db
        .updateTable('analytics_events')
        .set({ exported_at: now, export_lease_until: null })
        .where('event_id', 'in', ids)
        .execute();
      failures = 0;
      retryAt = 0;
      options.onExported?.('exported', ack.accepted);
      if (ack.dropped.length > 0) options.onExported?.('dropped', ack.dropped.length);
      return ack.accepted;
    } catch (error) {
      options.onExported?.('failed', rows.length);
      options.onError?.(isProviderError(error) ? `${error.code}: ${error.message}` : error);
      failures += 1;
      retryAt =
        now.getTime() + Math.min(backoff.max, backoff.first * 2 ** Math.min(failures - 1, 16));
      // Released at once, so the next pass after the back-off sends them again.
      await options.db
        .updateTable('analytics_events')
        .set({ export_lease_until: null })
        .where('event_id', 'in', ids)
        .where('exported_at', 'is', null)
        .execute();
      return 0;
    }
  };
}

/**
 * Registers the export metrics: `analytics_exported_total{outcome}`, and,
 * read from the database when scraped, `analytics_export_backlog_events`
 * and `analytics_export_freshness_seconds` (age of the oldest unexported
 * row; 0 when none). Returns the counter's hook.
 *
 * @example
 * const onExported = registerAnalyticsExportMetrics(context.metrics.registry, context.db, () => new Date());
 */
export function registerAnalyticsExportMetrics(
  registry: Registry,
  db: Kysely<DB>,
  now: () => Date,
): (outcome: ExportOutcome, count: number) => void {
  const exported = new Counter({
    name: 'analytics_exported_total',
    help: 'Pseudonymised analytics events sent to the analytics sink, by outcome (exported, dropped, failed).',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const pending = async () =>
    db
      .selectFrom('analytics_events')
      .select((eb) => [
        eb.fn.countAll<string | number>().as('n'),
        eb.fn.min('recorded_at').as('oldest'),
      ])
      .where('exported_at', 'is', null)
      .executeTakeFirstOrThrow();
  new Gauge({
    name: 'analytics_export_backlog_events',
    help: 'Analytics events not yet acknowledged by the analytics sink.',
    registers: [registry],
    async collect() {
      this.set(Number((await pending()).n));
    },
  });
  new Gauge({
    name: 'analytics_export_freshness_seconds',
    help: 'Age of the oldest analytics event not yet acknowledged by the analytics sink (0 when none).',
    registers: [registry],
    async collect() {
      const { oldest } = await pending();
      this.set(oldest ? Math.max(0, (now().getTime() - new Date(oldest).getTime()) / 1000) : 0);
    },
  });
  return (outcome, count) => exported.inc({ outcome }, count);
}
