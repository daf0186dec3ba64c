/**
 * Per-sender daily messaging quotas (issue 14, item 13): one counter row per
 * sender and UTC day, taken atomically by every server process before a
 * send, and `not_before` on notification intents so a message deferred past
 * the quota is sent again on the next day. Numbered after the bus (`0100`),
 * which creates `notification_intents`.
 */
import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not track today's DB type.
type AnyDb = Kysely<any>;

async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('messaging_sender_quota')
    .addColumn('sender', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('used', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('messaging_sender_quota_pk', ['sender', 'day'])
    .execute();
  await db.schema
    .alterTable('notification_intents')
    .addColumn('not_before', sql`timestamptz`)
    .execute();
  await sql`create index notification_intents_deferred_idx on notification_intents (not_before) where status = 'deferred'`.execute(
    db,
  );
}

async function down(db: AnyDb): Promise<void> {
  await sql`drop index if exists notification_intents_deferred_idx`.execute(db);
  await db.schema.alterTable('notification_intents').dropColumn('not_before').execute();
  await db.schema.dropTable('messaging_sender_quota').execute();
}

/**
 * The migration adding `messaging_sender_quota` and `notification_intents.not_before`.
 *
 * @example
 * const migrations = { '0103-core-messaging-sender-quota': messagingSenderQuotaMigration };
 */
export const messagingSenderQuotaMigration: Migration = { up, down };
