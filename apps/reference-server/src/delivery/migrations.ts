/**
 * Tables of outbound webhook delivery: endpoints (with their signing
 * secrets), one delivery per event and endpoint, and every attempt.
 * Secrets are stored as written because every attempt must sign with them;
 * they are never returned after creation or rotation.
 */
import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not track today's DB type.
type AnyDb = Kysely<any>;
const ts = 'timestamptz';

async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('webhook_endpoints')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('event_types', 'jsonb', (c) => c.notNull())
    .addColumn('enabled', 'boolean', (c) => c.notNull())
    .addColumn('disabled_reason', 'text')
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('previous_secret', 'text')
    .addColumn('previous_secret_expires_at', ts)
    .addColumn('failing_since', ts)
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('webhook_endpoints_tenant_idx')
    .on('webhook_endpoints')
    .columns(['tenant_id', 'created_at', 'id'])
    .execute();

  await db.schema
    .createTable('deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('endpoint_id', 'text', (c) =>
      c.notNull().references('webhook_endpoints.id').onDelete('cascade'),
    )
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempt_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('schedule_step', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', ts)
    .addColumn('last_attempt_at', ts)
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at', ts)
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .addUniqueConstraint('deliveries_endpoint_event', ['endpoint_id', 'event_id'])
    .execute();
  await sql`create index deliveries_due_idx on deliveries (next_attempt_at) where status in ('pending', 'failed')`.execute(
    db,
  );
  await db.schema
    .createIndex('deliveries_event_idx')
    .on('deliveries')
    .columns(['tenant_id', 'event_id'])
    .execute();
  await sql`create index deliveries_dead_idx on deliveries (tenant_id, updated_at, id) where status = 'dead'`.execute(
    db,
  );

  await db.schema
    .createTable('delivery_attempts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('delivery_id', 'text', (c) =>
      c.notNull().references('deliveries.id').onDelete('cascade'),
    )
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('attempted_at', ts, (c) => c.notNull())
    .addColumn('response_status', 'integer')
    .addColumn('latency_ms', 'integer', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('response_snippet', 'text')
    .addColumn('worker', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('delivery_attempts_delivery_idx')
    .on('delivery_attempts')
    .columns(['delivery_id', 'attempted_at'])
    .execute();
}

async function down(db: AnyDb): Promise<void> {
  for (const table of ['delivery_attempts', 'deliveries', 'webhook_endpoints']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}

/**
 * A webhook endpoint may belong to a registered integration (issue 17, item
 * 10): `integration_id`, null for none. While that integration is paused or
 * deprecated the endpoint's deliveries wait (claims.ts).
 */
const endpointIntegrationMigration: Migration = {
  async up(db: AnyDb) {
    await db.schema.alterTable('webhook_endpoints').addColumn('integration_id', 'text').execute();
    await db.schema
      .createIndex('webhook_endpoints_integration')
      .on('webhook_endpoints')
      .column('integration_id')
      .execute();
  },
  async down(db: AnyDb) {
    await db.schema.dropIndex('webhook_endpoints_integration').execute();
    await db.schema.alterTable('webhook_endpoints').dropColumn('integration_id').execute();
  },
};

/**
 * Migrations of webhook delivery, spread into the server's migration list.
 *
 * @example
 * const migrations = { '0001-core': coreMigration, ...deliveryMigrations };
 */
export const deliveryMigrations: Record<string, Migration> = {
  '0110-delivery': { up, down },
  '0111-delivery-endpoint-integration': endpointIntegrationMigration,
  // The index the operator console's endpoint page reads deliveries by (newest first per
  // endpoint). Built in the migration's transaction (not `concurrently`): on a very large
  // `deliveries` table, writes wait while it builds, at the upgrade.
  '0148-console-deliveries-by-endpoint': {
    async up(db: AnyDb) {
      await sql`create index if not exists deliveries_endpoint_recent_idx on deliveries (endpoint_id, created_at desc, id)`.execute(
        db,
      );
    },
    async down(db: AnyDb) {
      await sql`drop index if exists deliveries_endpoint_recent_idx`.execute(db);
    },
  },
  // Room in each page of `deliveries` for the claim's new row version: the lease columns are in
  // no index, so with free space on the page the claim is a HOT update (no index entries)
  // instead of a new tuple elsewhere and one entry in each of the table's indexes. Pages
  // written from now on keep half their space free; existing pages fill as before.
  '0611-delivery-hot-leases': {
    async up(db: AnyDb) {
      await sql`alter table deliveries set (fillfactor = 50)`.execute(db);
    },
    async down(db: AnyDb) {
      await sql`alter table deliveries reset (fillfactor)`.execute(db);
    },
  },
};
