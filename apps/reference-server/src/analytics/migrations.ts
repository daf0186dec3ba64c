/**
 * The export columns of `analytics_events`: when a row was recorded (the
 * freshness clock), when the analytics sink acknowledged it, and the lease
 * of the process sending it. Rows recorded before carry pseudonyms of an
 * older format and are never exported (marked exported now).
 */
import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not track today's DB type.
type AnyDb = Kysely<any>;

async function up(db: AnyDb): Promise<void> {
  await sql`alter table analytics_events add column recorded_at timestamptz not null default now()`.execute(
    db,
  );
  await sql`alter table analytics_events add column exported_at timestamptz`.execute(db);
  await sql`alter table analytics_events add column export_lease_until timestamptz`.execute(db);
  await sql`update analytics_events set exported_at = recorded_at`.execute(db);
  await sql`create index analytics_events_unexported_idx on analytics_events (recorded_at, event_id) where exported_at is null`.execute(
    db,
  );
}

async function down(db: AnyDb): Promise<void> {
  await sql`drop index if exists analytics_events_unexported_idx`.execute(db);
  for (const column of ['export_lease_until', 'exported_at', 'recorded_at'])
    await sql`alter table analytics_events drop column ${sql.ref(column)}`.execute(db);
}

/**
 * Migrations of the analytics feature.
 *
 * @example
 * const migrations = { ...busMigrations, ...analyticsMigrations };
 */
export const analyticsMigrations: Record<string, Migration> = {
  '0545-analytics-export': { up, down },
};
