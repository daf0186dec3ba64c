/**
 * The inbound webhook store: every verified provider webhook, raw, keyed by
 * provider and the provider's own event id so a replay is recognised. Rows
 * are processed after the provider has been answered; a payload that
 * verifies but does not parse stays here with its reason for operators.
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Migration } from 'kysely/migration';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not track today's DB type.
type AnyDb = Kysely<any>;
const ts = 'timestamptz';

async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('inbound_webhooks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('provider_event_id', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('raw_body', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', ts)
    .addColumn('received_at', ts, (c) => c.notNull())
    .addColumn('processed_at', ts)
    .addUniqueConstraint('inbound_webhooks_provider_event', ['provider', 'provider_event_id'])
    .execute();
  await sql`create index inbound_webhooks_due_idx on inbound_webhooks (next_attempt_at) where status = 'received'`.execute(
    db,
  );
}

async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('inbound_webhooks').ifExists().execute();
}

/**
 * Migrations of inbound webhooks, spread into the server's migration list.
 *
 * @example
 * const migrations = { '0001-core': coreMigration, ...inboundMigrations };
 */
export const inboundMigrations: Record<string, Migration> = {
  '0120-inbound': { up, down },
  '0121-inbound-provider-entities': {
    async up(db: AnyDb) {
      await db.schema
        .createTable('provider_entities')
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('entity_type', 'text', (c) => c.notNull())
        .addColumn('entity_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('last_event_type', 'text', (c) => c.notNull())
        .addColumn('updated_at', ts, (c) => c.notNull())
        .addPrimaryKeyConstraint('provider_entities_pk', ['tenant_id', 'entity_type', 'entity_id'])
        .execute();
    },
    async down(db: AnyDb) {
      await db.schema.dropTable('provider_entities').ifExists().execute();
    },
  },
  // Bodies encrypted at rest (finding 17); null: a row stored in clear before.
  '0122-inbound-raw-body-kid': {
    async up(db: AnyDb) {
      await db.schema.alterTable('inbound_webhooks').addColumn('raw_body_kid', 'text').execute();
    },
    async down(db: AnyDb) {
      await db.schema.alterTable('inbound_webhooks').dropColumn('raw_body_kid').execute();
    },
  },
};
