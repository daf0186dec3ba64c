/**
 * Tables of the visas feature: applications and their documents. An
 * application due for the background job is found through a partial index
 * on `next_check_at`, so the job reads only applications with work to do.
 */
import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not track today's DB type.
type AnyDb = Kysely<any>;
const ts = 'timestamptz';

async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('visa_applications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('patient_id', 'text', (c) => c.notNull())
    .addColumn('case_ref', 'text', (c) => c.notNull())
    .addColumn('destination', 'text', (c) => c.notNull())
    .addColumn('nationality', 'text', (c) => c.notNull())
    .addColumn('visa_type', 'text', (c) => c.notNull())
    .addColumn('arrival_date', 'text', (c) => c.notNull())
    .addColumn('departure_date', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('pending_action', 'text')
    .addColumn('provider', 'text')
    .addColumn('provider_application_id', 'text')
    .addColumn('medical_reference', 'text')
    .addColumn('visa_number', 'text')
    .addColumn('valid_until', 'text')
    .addColumn('reason_codes', 'jsonb', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('next_check_at', ts)
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('visa_applications_tenant_idx')
    .on('visa_applications')
    .columns(['tenant_id', 'created_at', 'id'])
    .execute();
  await sql`create index visa_applications_due_idx on visa_applications (next_check_at) where next_check_at is not null`.execute(
    db,
  );
  await db.schema
    .createTable('visa_documents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('application_id', 'text', (c) =>
      c.notNull().references('visa_applications.id').onDelete('cascade'),
    )
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('visa_documents_application_idx')
    .on('visa_documents')
    .columns(['tenant_id', 'application_id', 'created_at'])
    .execute();
}

async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('visa_documents').ifExists().execute();
  await db.schema.dropTable('visa_applications').ifExists().execute();
}

const UNDECIDED = `('pending', 'submitted', 'in_review', 'documents_requested', 'manual')`;

async function upSla(db: AnyDb): Promise<void> {
  await db.schema.alterTable('visa_applications').addColumn('sla_alerted_at', ts).execute();
  await sql
    .raw(
      `create index visa_applications_sla_idx on visa_applications (created_at) where sla_alerted_at is null and status in ${UNDECIDED}`,
    )
    .execute(db);
}

async function downSla(db: AnyDb): Promise<void> {
  await sql`drop index if exists visa_applications_sla_idx`.execute(db);
  await db.schema.alterTable('visa_applications').dropColumn('sla_alerted_at').execute();
}

/**
 * The visas feature's migrations.
 *
 * @example
 * const features: Feature[] = [{ name: 'visas', migrations: visasMigrations }];
 */
export const visasMigrations: Record<string, Migration> = {
  '0370-visas-tables': { up, down },
  '0371-visa-decision-sla': { up: upSla, down: downSla },
};
