/**
 * Integration governance (issue 17, item 10): each integration records why
 * it exists (business justification), what data it touches (data scope),
 * its risk (level and notes), and when it is next reviewed; the review
 * alert remembers the review date it was raised for, so it is raised once.
 * Existing rows keep null. (Credentials and endpoints point at their
 * integration through columns of their own tables: `0007-core-credential-
 * integration` and `0111-delivery-endpoint-integration`.)
 */
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not track today's DB type.
type AnyDb = Kysely<any>;

async function up(db: AnyDb): Promise<void> {
  await db.schema
    .alterTable('integrations')
    .addColumn('justification', 'text')
    .addColumn('data_scope', 'text')
    .addColumn('risk_level', 'text')
    .addColumn('risk_notes', 'text')
    .addColumn('review_date', 'date')
    .addColumn('review_alerted_for', 'date')
    .execute();
  await db.schema
    .createIndex('integrations_review_date')
    .on('integrations')
    .column('review_date')
    .execute();
}

async function down(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('integrations_review_date').execute();
  await db.schema
    .alterTable('integrations')
    .dropColumn('review_alerted_for')
    .dropColumn('review_date')
    .dropColumn('risk_notes')
    .dropColumn('risk_level')
    .dropColumn('data_scope')
    .dropColumn('justification')
    .execute();
}

/**
 * The integrations feature's migrations.
 *
 * @example
 * const feature: Feature = { name: 'integrations', migrations: integrationMigrations };
 */
export const integrationMigrations: Readonly<Record<string, Migration>> = {
  '0600-integrations-governance': { up, down },
};
