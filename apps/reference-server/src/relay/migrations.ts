/**
 * Tables of the relay: `relay_events` marks each event to relay and when
 * the broker acknowledged it; `relay_tenants` leases a tenant's events to
 * one process so they are published one after another in outbox order.
 */
import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not track today's DB type.
type AnyDb = Kysely<any>;

async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('relay_events')
    .addColumn('event_id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('sequence', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('relayed_at', 'timestamptz')
    .execute();
  await sql`create index relay_events_pending_idx on relay_events (tenant_id, sequence) where relayed_at is null`.execute(
    db,
  );
  await db.schema
    .createTable('relay_tenants')
    .addColumn('tenant_id', 'text', (c) => c.primaryKey())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at', 'timestamptz')
    .execute();
}

async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('relay_tenants').ifExists().execute();
  await db.schema.dropTable('relay_events').ifExists().execute();
}

// Marks and leases become per sink (NATS JetStream, RabbitMQ): an event
// relayed to one broker and not yet to another is retried only for the
// other. Rows written before belong to the JetStream relay, the only sink then.
async function upSinks(db: AnyDb): Promise<void> {
  for (const table of ['relay_events', 'relay_tenants']) {
    await sql`alter table ${sql.table(table)} add column sink text not null default 'nats'`.execute(
      db,
    );
    await sql`alter table ${sql.table(table)} alter column sink drop default`.execute(db);
    await sql`alter table ${sql.table(table)} drop constraint ${sql.ref(`${table}_pkey`)}`.execute(
      db,
    );
  }
  await sql`alter table relay_events add primary key (sink, event_id)`.execute(db);
  await sql`alter table relay_tenants add primary key (sink, tenant_id)`.execute(db);
  await sql`drop index relay_events_pending_idx`.execute(db);
  await sql`create index relay_events_pending_idx on relay_events (sink, tenant_id, sequence) where relayed_at is null`.execute(
    db,
  );
}

async function downSinks(db: AnyDb): Promise<void> {
  await sql`delete from relay_events where sink <> 'nats'`.execute(db);
  await sql`delete from relay_tenants where sink <> 'nats'`.execute(db);
  await sql`drop index relay_events_pending_idx`.execute(db);
  await sql`create index relay_events_pending_idx on relay_events (tenant_id, sequence) where relayed_at is null`.execute(
    db,
  );
  await sql`alter table relay_events drop constraint relay_events_pkey`.execute(db);
  await sql`alter table relay_tenants drop constraint relay_tenants_pkey`.execute(db);
  await sql`alter table relay_events add primary key (event_id)`.execute(db);
  await sql`alter table relay_tenants add primary key (tenant_id)`.execute(db);
  await sql`alter table relay_events drop column sink`.execute(db);
  await sql`alter table relay_tenants drop column sink`.execute(db);
}

// The consumer-side inbox (consumer-inbox.ts): one row per consumer and event applied.
async function upInbox(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('relay_consumer_inbox')
    .addColumn('consumer', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('processed_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('relay_consumer_inbox_pkey', ['consumer', 'event_id'])
    .execute();
}

async function downInbox(db: AnyDb): Promise<void> {
  await db.schema.dropTable('relay_consumer_inbox').ifExists().execute();
}

/**
 * Migrations of the relay feature.
 *
 * @example
 * const migrations = { ...busMigrations, ...relayMigrations };
 */
export const relayMigrations: Record<string, Migration> = {
  '0500-relay': { up, down },
  '0501-relay-sinks': { up: upSinks, down: downSinks },
  '0502-relay-consumer-inbox': { up: upInbox, down: downInbox },
};
