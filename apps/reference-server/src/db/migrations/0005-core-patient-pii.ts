/**
 * Patients' personal data encrypted at rest (issue #10, finding 17): the
 * names, birth date, email and phone move into one encrypted column, `pii`,
 * with the id of its key and blind indexes of the email and phone. Existing
 * rows keep their plaintext until the background job (or `pii rotate-key`)
 * encrypts them and clears it; the plaintext columns therefore lose NOT NULL.
 */
import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not track today's DB type.
type AnyDb = Kysely<any>;

async function up(db: AnyDb): Promise<void> {
  await db.schema
    .alterTable('patients')
    .addColumn('pii', 'text')
    .addColumn('pii_kid', 'text')
    .addColumn('email_index', 'text')
    .addColumn('phone_index', 'text')
    .execute();
  await db.schema
    .alterTable('patients')
    .alterColumn('given_name', (c) => c.dropNotNull())
    .execute();
  await db.schema
    .alterTable('patients')
    .alterColumn('family_name', (c) => c.dropNotNull())
    .execute();
  await sql`create index patients_email_index_idx on patients (tenant_id, email_index) where email_index is not null`.execute(
    db,
  );
  await sql`create index patients_phone_index_idx on patients (tenant_id, phone_index) where phone_index is not null`.execute(
    db,
  );
  // Rows still to encrypt, or encrypted under a key that is no longer the active one.
  await sql`create index patients_pii_kid_idx on patients (pii_kid)`.execute(db);
}

async function down(db: AnyDb): Promise<void> {
  await db.schema
    .alterTable('patients')
    .dropColumn('pii')
    .dropColumn('pii_kid')
    .dropColumn('email_index')
    .dropColumn('phone_index')
    .execute();
}

/**
 * The migration adding encrypted personal data to `patients`.
 *
 * @example
 * const migrations = { '0005-core-patient-pii': patientPiiMigration };
 */
export const patientPiiMigration: Migration = { up, down };
