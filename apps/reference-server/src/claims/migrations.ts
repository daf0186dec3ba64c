/**
 * Tables of the claims feature: claims and their documents. A claim due
 * for the background job is found through a partial index on
 * `next_check_at`, so the job reads only claims with work to do.
 */
import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not track today's DB type.
type AnyDb = Kysely<any>;
const ts = 'timestamptz';

async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('claims')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('patient_id', 'text', (c) => c.notNull())
    .addColumn('invoice_id', 'text', (c) => c.notNull())
    .addColumn('payer_ref', 'text', (c) => c.notNull())
    .addColumn('member_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('pending_action', 'text')
    .addColumn('eligibility', 'text', (c) => c.notNull())
    .addColumn('diagnoses', 'jsonb', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('approved_amount', 'bigint')
    .addColumn('paid_amount', 'bigint')
    .addColumn('reason_codes', 'jsonb', (c) => c.notNull())
    .addColumn('preauthorization_ref', 'text')
    .addColumn('provider_claim_id', 'text')
    .addColumn('provider_version', 'text')
    .addColumn('remittance_ref', 'text')
    .addColumn('resubmissions', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('next_check_at', ts)
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('claims_tenant_idx')
    .on('claims')
    .columns(['tenant_id', 'created_at', 'id'])
    .execute();
  await sql`create index claims_due_idx on claims (next_check_at) where next_check_at is not null`.execute(
    db,
  );
  // A claim's history is read by entity; only claim events, so the index stays small.
  await sql`create index claims_events_idx on events (tenant_id, entity_id, sequence) where entity_type = 'claim'`.execute(
    db,
  );
  await db.schema
    .createTable('claim_documents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('claim_id', 'text', (c) => c.notNull().references('claims.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('claim_documents_claim_idx')
    .on('claim_documents')
    .columns(['tenant_id', 'claim_id', 'created_at'])
    .execute();
}

async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('claim_documents').ifExists().execute();
  await db.schema.dropTable('claims').ifExists().execute();
  await sql`drop index if exists claims_events_idx`.execute(db);
}

/**
 * The claims feature's migrations.
 *
 * @example
 * const features: Feature[] = [{ name: 'claims', migrations: claimsMigrations }];
 */
export const claimsMigrations: Record<string, Migration> = {
  '0350-claims-tables': { up, down },
};
