/**
 * The table of the documents feature, with the index the expiry job reads.
 */
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not track today's DB type.
type AnyDb = Kysely<any>;
const ts = 'timestamptz';

async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('documents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('case_id', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('storage_key', 'text', (c) => c.unique())
    .addColumn('reference', 'text')
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('sha256', 'text')
    .addColumn('metadata', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('expires_at', ts, (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('documents_tenant_idx')
    .on('documents')
    .columns(['tenant_id', 'created_at', 'id'])
    .execute();
  await db.schema
    .createIndex('documents_expiry_idx')
    .on('documents')
    .columns(['status', 'expires_at'])
    .execute();
}

async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('documents').ifExists().execute();
}

/**
 * The documents feature's migrations.
 *
 * @example
 * const features: Feature[] = [{ name: 'documents', migrations: documentsMigrations }];
 */
export const documentsMigrations: Record<string, Migration> = {
  '0560-documents': { up, down },
};
