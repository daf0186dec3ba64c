/**
 * The e-invoicing feature's table: one e-invoice per invoice, keyed by its
 * ETTN. A row with work for the background job (a submission, a PDF to
 * fetch) is found through a partial index on `next_check_at`.
 */
import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not track today's DB type.
type AnyDb = Kysely<any>;
const ts = 'timestamptz';

async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('e_invoices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('invoice_id', 'text', (c) => c.notNull())
    .addColumn('ettn', 'text', (c) => c.notNull().unique())
    .addColumn('buyer_tax_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reason_code', 'text')
    .addColumn('pending_action', 'text')
    .addColumn('provider', 'text')
    .addColumn('pdf_key', 'text')
    .addColumn('last_error', 'text')
    .addColumn('next_check_at', ts)
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .addUniqueConstraint('e_invoices_invoice_unique', ['tenant_id', 'invoice_id'])
    .execute();
  await sql`create index e_invoices_due_idx on e_invoices (next_check_at) where next_check_at is not null`.execute(
    db,
  );
}

async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('e_invoices').ifExists().execute();
}

/**
 * The e-invoicing feature's migrations.
 *
 * @example
 * const features: Feature[] = [{ name: 'einvoicing', migrations: eInvoicingMigrations }];
 */
export const eInvoicingMigrations: Record<string, Migration> = {
  '0520-e-invoices': { up, down },
};
