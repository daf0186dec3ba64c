/** The imports feature's migration: `import_jobs`. */
import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not track today's DB type.
type AnyDb = Kysely<any>;
const ts = 'timestamptz';

async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('import_jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('dry_run', 'boolean', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('total_rows', 'integer', (c) => c.notNull())
    .addColumn('imported_rows', 'integer', (c) => c.notNull())
    .addColumn('failed_rows', 'integer', (c) => c.notNull())
    .addColumn('errors', 'jsonb', (c) => c.notNull())
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('completed_at', ts)
    .execute();
  await db.schema
    .createIndex('import_jobs_tenant_list_idx')
    .on('import_jobs')
    .columns(['tenant_id', 'created_at', 'id'])
    .execute();
  // The same content is applied once per tenant, kind and format.
  await sql`create unique index import_jobs_applied_idx on import_jobs (tenant_id, kind, format, sha256) where not dry_run`.execute(
    db,
  );
}

async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('import_jobs').execute();
}

async function upLeadsAndSettlements(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('leads')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('name', 'text')
    .addColumn('phone', 'text')
    .addColumn('email', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('campaign', 'text')
    .addColumn('agent_ref', 'text')
    .addColumn('country_code', 'text')
    .addColumn('notes', 'text')
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  // One lead per E.164 phone and per lower-cased email in a tenant.
  await sql`create unique index leads_phone_idx on leads (tenant_id, phone) where phone is not null`.execute(
    db,
  );
  await sql`create unique index leads_email_idx on leads (tenant_id, email) where email is not null`.execute(
    db,
  );
  await db.schema
    .createTable('settlement_lines')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('settlement_ref', 'text', (c) => c.notNull())
    .addColumn('line_ref', 'text', (c) => c.notNull())
    .addColumn('occurred_at', ts, (c) => c.notNull())
    .addColumn('type', 'text')
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('fee', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('payment_ref', 'text')
    .addColumn('description', 'text')
    .addColumn('created_at', ts, (c) => c.notNull())
    .addUniqueConstraint('settlement_lines_ref_key', ['tenant_id', 'settlement_ref', 'line_ref'])
    .execute();
}

async function downLeadsAndSettlements(db: AnyDb): Promise<void> {
  await db.schema.dropTable('settlement_lines').execute();
  await db.schema.dropTable('leads').execute();
}

async function upMappings(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('import_mappings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('columns', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    // Saving a kind's name again replaces it.
    .addUniqueConstraint('import_mappings_name_key', ['tenant_id', 'kind', 'name'])
    .execute();
  await db.schema
    .createIndex('import_mappings_tenant_list_idx')
    .on('import_mappings')
    .columns(['tenant_id', 'created_at', 'id'])
    .execute();
}

async function downMappings(db: AnyDb): Promise<void> {
  await db.schema.dropTable('import_mappings').execute();
}

// Leads' personal fields move into one encrypted document with blind indexes;
// rows stored before stay in clear until the leads job encrypts them.
async function upLeadsPii(db: AnyDb): Promise<void> {
  await db.schema
    .alterTable('leads')
    .addColumn('pii', 'text')
    .addColumn('pii_kid', 'text')
    .addColumn('phone_index', 'text')
    .addColumn('email_index', 'text')
    .execute();
  await sql`create unique index leads_phone_index_idx on leads (tenant_id, phone_index) where phone_index is not null`.execute(
    db,
  );
  await sql`create unique index leads_email_index_idx on leads (tenant_id, email_index) where email_index is not null`.execute(
    db,
  );
  await sql`create index leads_pii_kid_idx on leads (pii_kid)`.execute(db);
  await sql`create index leads_tenant_list_idx on leads (tenant_id, created_at, id)`.execute(db);
}

async function downLeadsPii(db: AnyDb): Promise<void> {
  await sql`drop index leads_tenant_list_idx`.execute(db);
  await db.schema
    .alterTable('leads')
    .dropColumn('pii')
    .dropColumn('pii_kid')
    .dropColumn('phone_index')
    .dropColumn('email_index')
    .execute();
}

async function upBackground(db: AnyDb): Promise<void> {
  await db.schema
    .alterTable('import_jobs')
    .addColumn('rows_read', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('committed_through_row', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('batches', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_check_at', ts)
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failure_code', 'text')
    .addColumn('failure_detail', 'text')
    .addColumn('updated_at', ts)
    .execute();
  await sql`create index import_jobs_due_idx on import_jobs (next_check_at) where next_check_at is not null`.execute(
    db,
  );
  // A failed apply that committed nothing frees its content for another try; one that committed batches keeps it.
  await sql`drop index import_jobs_applied_idx`.execute(db);
  await sql`create unique index import_jobs_applied_idx on import_jobs (tenant_id, kind, format, sha256) where not dry_run and (status <> 'failed' or committed_through_row > 0)`.execute(
    db,
  );
  await db.schema
    .createTable('import_job_files')
    .addColumn('job_id', 'text', (c) =>
      c.primaryKey().references('import_jobs.id').onDelete('cascade'),
    )
    .addColumn('content', 'text', (c) => c.notNull())
    // The request's column mapping, so the runner reads the header as the request would have.
    .addColumn('mapping', 'text')
    .execute();
  // Stored uncompressed out of line, so the runner's substr() reads only the piece it asks for.
  await sql`alter table import_job_files alter column content set storage external`.execute(db);
}

async function downBackground(db: AnyDb): Promise<void> {
  await db.schema.dropTable('import_job_files').execute();
  await sql`drop index import_jobs_due_idx`.execute(db);
  await sql`drop index import_jobs_applied_idx`.execute(db);
  await sql`create unique index import_jobs_applied_idx on import_jobs (tenant_id, kind, format, sha256) where not dry_run`.execute(
    db,
  );
  for (const column of [
    'rows_read',
    'committed_through_row',
    'batches',
    'next_check_at',
    'attempts',
    'failure_code',
    'failure_detail',
    'updated_at',
  ]) {
    await db.schema.alterTable('import_jobs').dropColumn(column).execute();
  }
}

async function upContentPieces(db: AnyDb): Promise<void> {
  // A queued file's content in pieces of at most 1 Mi characters: no statement carries a large file whole.
  await db.schema
    .createTable('import_job_file_pieces')
    .addColumn('job_id', 'text', (c) =>
      c.notNull().references('import_job_files.job_id').onDelete('cascade'),
    )
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('piece', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('import_job_file_pieces_pkey', ['job_id', 'seq'])
    .execute();
  // 0: the content is in import_job_files.content (a job queued before this migration).
  await db.schema
    .alterTable('import_job_files')
    .addColumn('pieces', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

async function downContentPieces(db: AnyDb): Promise<void> {
  await db.schema.dropTable('import_job_file_pieces').execute();
  await db.schema.alterTable('import_job_files').dropColumn('pieces').execute();
}

async function upLeadsMarketingConsent(db: AnyDb): Promise<void> {
  await db.schema
    .alterTable('leads')
    .addColumn('marketing_consent', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('marketing_consent_at', ts)
    .execute();
}

async function downLeadsMarketingConsent(db: AnyDb): Promise<void> {
  await db.schema
    .alterTable('leads')
    .dropColumn('marketing_consent')
    .dropColumn('marketing_consent_at')
    .execute();
}

/**
 * Migrations of the imports feature.
 *
 * @example
 * const migrations = { ...importsMigrations };
 */
export const importsMigrations: Record<string, Migration> = {
  '0400-imports': { up, down },
  // After the catalogue's 0420: the pricing and capacity kinds write its tables.
  '0430-imports-leads-settlements': { up: upLeadsAndSettlements, down: downLeadsAndSettlements },
  '0431-imports-mappings': { up: upMappings, down: downMappings },
  '0432-imports-leads-pii': { up: upLeadsPii, down: downLeadsPii },
  // Background jobs: progress, the resume point, the lease and the content until the job ends.
  '0435-imports-background': { up: upBackground, down: downBackground },
  '0436-imports-content-pieces': { up: upContentPieces, down: downContentPieces },
  // A lead's consent to marketing: only consenting leads reach a CRM (src/crm).
  '0437-imports-leads-marketing-consent': {
    up: upLeadsMarketingConsent,
    down: downLeadsMarketingConsent,
  },
};
