/**
 * Tables of the HL7 v2 feature: the facilities that may send, the durable
 * inbox keyed by (MSH-3, MSH-4, MSH-10), what was refused, patient
 * identity and merges, the tenant's provider / department / service
 * mappings, and procedures to bill.
 */
import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not track today's DB type.
type AnyDb = Kysely<any>;
const ts = 'timestamptz';

async function inbox(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('hl7_facilities')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('sending_facility', 'text', (c) => c.notNull())
    .addColumn('sending_application', 'text')
    .addColumn('allowed_sources', 'jsonb', (c) => c.notNull())
    .addColumn('processing_id', 'text', (c) => c.notNull())
    .addColumn('utc_offset_minutes', 'integer', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  await sql`create unique index hl7_facilities_sender_idx on hl7_facilities (sending_facility, coalesce(sending_application, ''))`.execute(
    db,
  );
  await db.schema
    .createTable('hl7_messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('seq', 'bigint', (c) => c.notNull().generatedAlwaysAsIdentity())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('facility_id', 'text', (c) => c.notNull())
    .addColumn('sending_application', 'text', (c) => c.notNull())
    .addColumn('sending_facility', 'text', (c) => c.notNull())
    .addColumn('control_id', 'text', (c) => c.notNull())
    .addColumn('message_type', 'text', (c) => c.notNull())
    .addColumn('trigger_event', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('raw', 'text', (c) => c.notNull())
    .addColumn('source_address', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('received_at', ts, (c) => c.notNull())
    .addColumn('processed_at', ts)
    .addUniqueConstraint('hl7_messages_key', [
      'sending_application',
      'sending_facility',
      'control_id',
    ])
    .addCheckConstraint('hl7_messages_status', sql`status in ('received', 'processed', 'failed')`)
    .execute();
  await sql`create index hl7_messages_due_idx on hl7_messages (seq) where status = 'received'`.execute(
    db,
  );
  await sql`create index hl7_messages_failed_idx on hl7_messages (received_at) where status = 'failed'`.execute(
    db,
  );
  await db.schema
    .createTable('hl7_rejects')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text')
    .addColumn('source_address', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('ack_code', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('sending_application', 'text')
    .addColumn('sending_facility', 'text')
    .addColumn('control_id', 'text')
    .addColumn('raw', 'text', (c) => c.notNull())
    .addColumn('raw_sha256', 'text', (c) => c.notNull())
    .addColumn('byte_length', 'integer', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('first_seen_at', ts, (c) => c.notNull())
    .addColumn('last_seen_at', ts, (c) => c.notNull())
    .addUniqueConstraint('hl7_rejects_content', ['raw_sha256', 'kind', 'source_address'])
    .execute();
  await db.schema
    .createIndex('hl7_rejects_recent_idx')
    .on('hl7_rejects')
    .column('last_seen_at')
    .execute();
}

async function identity(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('hl7_patient_identifiers')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('authority', 'text', (c) => c.notNull())
    .addColumn('identifier', 'text', (c) => c.notNull())
    .addColumn('identifier_type', 'text', (c) => c.notNull())
    .addColumn('patient_id', 'text', (c) => c.notNull().references('patients.id'))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('hl7_patient_identifiers_pk', ['tenant_id', 'authority', 'identifier'])
    .execute();
  await db.schema
    .createIndex('hl7_patient_identifiers_patient_idx')
    .on('hl7_patient_identifiers')
    .columns(['tenant_id', 'patient_id'])
    .execute();
  await db.schema
    .createTable('hl7_patient_merges')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('from_patient_id', 'text', (c) => c.notNull().references('patients.id'))
    .addColumn('into_patient_id', 'text', (c) => c.notNull().references('patients.id'))
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('merged_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('hl7_patient_merges_pk', ['tenant_id', 'from_patient_id'])
    .execute();
}

async function mappings(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('hl7_provider_mappings')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('provider_code', 'text', (c) => c.notNull())
    .addColumn('clinician_ref', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('hl7_provider_mappings_pk', ['tenant_id', 'provider_code'])
    .execute();
  await db.schema
    .createTable('hl7_department_mappings')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('department_ref', 'text', (c) => c.notNull())
    .addColumn('label', 'text')
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('hl7_department_mappings_pk', ['tenant_id', 'code'])
    .execute();
  await db.schema
    .createTable('hl7_service_mappings')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('unit', 'text', (c) => c.notNull())
    .addColumn('unit_price', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('tax_rate_bps', 'integer', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('hl7_service_mappings_pk', ['tenant_id', 'code'])
    .addCheckConstraint('hl7_service_mappings_unit', sql`unit in ('day', 'each')`)
    .addCheckConstraint(
      'hl7_service_mappings_amounts',
      sql`unit_price >= 0 and tax_rate_bps between 0 and 10000`,
    )
    .execute();
}

async function charges(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('hl7_encounter_charges')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('encounter_id', 'text', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('occurrence', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('hl7_encounter_charges_pk', ['encounter_id', 'code', 'occurrence'])
    .execute();
}

const drop = (tables: string[]) => async (db: AnyDb) => {
  for (const table of tables) await db.schema.dropTable(table).ifExists().execute();
};

/**
 * Migrations of the HL7 v2 feature.
 *
 * @example
 * const migrations = { ...coreMigrations, ...hl7Migrations };
 */
export const hl7Migrations: Record<string, Migration> = {
  '0300-hl7-inbox': { up: inbox, down: drop(['hl7_rejects', 'hl7_messages', 'hl7_facilities']) },
  '0301-hl7-identity': {
    up: identity,
    down: drop(['hl7_patient_merges', 'hl7_patient_identifiers']),
  },
  '0302-hl7-mappings': {
    up: mappings,
    down: drop(['hl7_service_mappings', 'hl7_department_mappings', 'hl7_provider_mappings']),
  },
  '0303-hl7-charges': { up: charges, down: drop(['hl7_encounter_charges']) },
};
