/**
 * Tables of the event bus. `event_queue` is filled by a trigger on `events`,
 * inside the very transaction that records the event, so no committed event
 * can be missed by the dispatcher and no service has to remember to enqueue.
 * The same trigger raises a `NOTIFY` (delivered at commit) that wakes other
 * server processes. Internal subscribers each get their own inbox rows.
 */
import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';
import { slotMigrations } from './slots-migration.ts';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not track today's DB type.
type AnyDb = Kysely<any>;
const ts = 'timestamptz';

/**
 * Channel of the cross-process wake-up; the payload is the schema name.
 *
 * @example
 * await client.query(`listen ${EVENTS_CHANNEL}`);
 */
export const EVENTS_CHANNEL = 'clinicbridge_events';

async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('event_queue')
    .addColumn('event_id', 'text', (c) => c.primaryKey())
    .addColumn('sequence', 'bigint', (c) => c.notNull())
    .addColumn('enqueued_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('event_queue_sequence_idx')
    .on('event_queue')
    .column('sequence')
    .execute();

  await sql`
    create function event_queue_enqueue() returns trigger language plpgsql as $$
    begin
      insert into event_queue (event_id, sequence) values (new.id, new.sequence);
      perform pg_notify('${sql.raw(EVENTS_CHANNEL)}', current_schema());
      return null;
    end $$`.execute(db);
  await sql`
    create trigger events_enqueue after insert on events
    for each row execute function event_queue_enqueue()`.execute(db);

  await db.schema
    .createTable('subscriber_inbox')
    .addColumn('subscriber', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('sequence', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', ts, (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('acked_at', ts)
    .addPrimaryKeyConstraint('subscriber_inbox_pk', ['subscriber', 'event_id'])
    .execute();
  await sql`create index subscriber_inbox_due_idx on subscriber_inbox (next_attempt_at, sequence) where status = 'pending'`.execute(
    db,
  );

  await db.schema
    .createTable('notification_intents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('template', 'text', (c) => c.notNull())
    .addColumn('patient_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('provider_message_id', 'text')
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .addUniqueConstraint('notification_intents_event_template', ['event_id', 'template'])
    .execute();

  await db.schema
    .createTable('report_daily')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('event_count', 'bigint', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('report_daily_pk', ['tenant_id', 'day', 'event_type', 'currency'])
    .execute();

  await db.schema
    .createTable('analytics_events')
    .addColumn('event_id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_ref', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('occurred_at', ts, (c) => c.notNull())
    .addColumn('data', 'jsonb', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('crm_sync_records')
    .addColumn('event_id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('entity_type', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text', (c) => c.notNull())
    .addColumn('fields', 'jsonb', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('operator_alerts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('details', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('resolved_at', ts)
    .execute();
}

async function down(db: AnyDb): Promise<void> {
  await sql`drop trigger if exists events_enqueue on events`.execute(db);
  await sql`drop function if exists event_queue_enqueue()`.execute(db);
  for (const table of [
    'operator_alerts',
    'crm_sync_records',
    'analytics_events',
    'report_daily',
    'notification_intents',
    'subscriber_inbox',
    'event_queue',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}

/**
 * Migrations of the event bus, spread into the server's migration list.
 *
 * @example
 * const migrations = { '0001-core': coreMigration, ...busMigrations };
 */
export const busMigrations: Record<string, Migration> = {
  '0100-bus': { up, down },
  ...slotMigrations,
};
