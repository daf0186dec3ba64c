/**
 * Tables of the reconciliation feature: runs and the breaks they found.
 * A scheduled run is unique per tenant, provider and period, so two
 * processes running the schedule record it once.
 */
import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not track today's DB type.
type AnyDb = Kysely<any>;

const statements = [
  sql`create table reconciliation_runs (
    id text primary key,
    tenant_id text not null,
    provider text not null,
    period_from timestamptz not null,
    period_to timestamptz not null,
    trigger text not null check (trigger in ('request', 'schedule')),
    status text not null check (status in ('completed', 'failed')),
    failure_code text,
    lines_read integer not null,
    transfers_read integer not null,
    matched integer not null,
    breaks integer not null,
    truncated boolean not null,
    created_at timestamptz not null
  )`,
  sql`create unique index reconciliation_runs_scheduled_idx
    on reconciliation_runs (tenant_id, provider, period_from, period_to) where trigger = 'schedule'`,
  sql`create index reconciliation_runs_tenant_idx on reconciliation_runs (tenant_id, created_at, id)`,
  sql`create table reconciliation_breaks (
    id text primary key,
    tenant_id text not null,
    run_id text not null references reconciliation_runs (id),
    kind text not null,
    status text not null check (status in ('open', 'resolved')),
    payment_ref text,
    transfer_id text,
    expected_amount bigint,
    expected_currency text,
    actual_amount bigint,
    actual_currency text,
    lines text not null,
    alert_id text,
    resolution text,
    resolution_note text,
    resolved_by text,
    resolved_at timestamptz,
    created_at timestamptz not null
  )`,
  sql`create index reconciliation_breaks_tenant_idx on reconciliation_breaks (tenant_id, created_at, id)`,
];

/**
 * The reconciliation feature's migrations.
 *
 * @example
 * const feature: Feature = { name: 'reconciliation', migrations: reconciliationMigrations };
 */
export const reconciliationMigrations: Record<string, Migration> = {
  '0425-money-reconciliation': {
    async up(db: AnyDb) {
      for (const statement of statements) await statement.execute(db);
    },
    async down(db: AnyDb) {
      await sql`drop table if exists reconciliation_breaks`.execute(db);
      await sql`drop table if exists reconciliation_runs`.execute(db);
    },
  },
};
