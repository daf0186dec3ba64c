/**
 * Tables of cron-scheduled work (see ./slots.ts): one row per schedule slot,
 * unique on (schedule, slot) so several processes enqueue it once, and one
 * lease row per schedule naming the process that runs it now.
 */
import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not track today's DB type.
type AnyDb = Kysely<any>;
const ts = 'timestamptz';

async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('schedule_runs')
    .addColumn('schedule', 'text', (c) => c.notNull())
    .addColumn('slot', ts, (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('pending', 'running', 'done', 'failed')`),
    )
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('owner', 'text')
    .addColumn('enqueued_at', ts, (c) => c.notNull())
    .addColumn('started_at', ts)
    .addColumn('finished_at', ts)
    .addColumn('result', 'jsonb')
    .addPrimaryKeyConstraint('schedule_runs_pkey', ['schedule', 'slot'])
    .execute();
  await sql`create index schedule_runs_pending_idx on schedule_runs (schedule, slot) where status in ('pending', 'running')`.execute(
    db,
  );
  await db.schema
    .createTable('schedule_leases')
    .addColumn('schedule', 'text', (c) => c.primaryKey())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('expires_at', ts, (c) => c.notNull())
    .execute();
}

async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('schedule_leases').ifExists().execute();
  await db.schema.dropTable('schedule_runs').ifExists().execute();
}

/**
 * The migration of scheduled slots, part of the scheduler's migrations.
 *
 * @example
 * const migrations = { ...busMigrations };
 */
export const slotMigrations: Record<string, Migration> = {
  '0103-scheduler-slots': { up, down },
};
