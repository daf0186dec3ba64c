/**
 * The outbox trigger's wake-up hint may be sent after commit instead of
 * inside the transaction (issue 16). A `NOTIFY` in a transaction makes its
 * commit take PostgreSQL's cluster-wide notify lock, disk sync included, so
 * NOTIFYing commits run one at a time. A transaction that sets
 * `clinicbridge.notify_after_commit` to `on` (the API's write pipeline: it
 * sends one coalesced hint once it has committed) still enqueues its events
 * but leaves the `NOTIFY` out; every other writer notifies as before.
 * Named after `0100-bus`, whose trigger function it redefines.
 */
import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';
import { EVENTS_CHANNEL } from '../../scheduler/migrations.ts';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not track today's DB type.
type AnyDb = Kysely<any>;

async function up(db: AnyDb): Promise<void> {
  await sql`
    create or replace function event_queue_enqueue() returns trigger language plpgsql as $$
    begin
      insert into event_queue (event_id, sequence) values (new.id, new.sequence);
      if coalesce(current_setting('clinicbridge.notify_after_commit', true), '') <> 'on' then
        perform pg_notify('${sql.raw(EVENTS_CHANNEL)}', current_schema());
      end if;
      return null;
    end $$`.execute(db);
}

async function down(db: AnyDb): Promise<void> {
  await sql`
    create or replace function event_queue_enqueue() returns trigger language plpgsql as $$
    begin
      insert into event_queue (event_id, sequence) values (new.id, new.sequence);
      perform pg_notify('${sql.raw(EVENTS_CHANNEL)}', current_schema());
      return null;
    end $$`.execute(db);
}

/**
 * The migration letting a transaction move the outbox's wake-up hint after its commit.
 *
 * @example
 * const migrations = { '0101-core-events-notify-after-commit': eventsNotifyAfterCommitMigration };
 */
export const eventsNotifyAfterCommitMigration: Migration = { up, down };
