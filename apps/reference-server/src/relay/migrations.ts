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

/**
 * Migrations of the relay feature.
 *
 * @example
 * const migrations = { ...busMigrations, ...relayMigrations };
 */
export const relayMigrations: Record<string, Migration> = { '0500-relay': { up, down } };
