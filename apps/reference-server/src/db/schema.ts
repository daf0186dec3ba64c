/**
 * Table types of the server's database, snake_case as in SQL. `DB` is an
 * interface so each feature can add its own tables by module augmentation:
 *
 *   declare module '../db/schema.ts' { interface DB { deliveries: DeliveriesTable } }
 *
 * Timestamps are `timestamptz` and read back as `Date`; `bigint` columns are
 * parsed to `number` by both drivers (see database.ts); JSON columns are `jsonb`.
 */
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/**
 * A `jsonb` column: written as a JSON string or value, read back parsed.
 *
 * @example
 * interface WidgetsTable { tags: Json<string[]> } // insert JSON.stringify(tags), read string[]
 */
export type Json<T> = ColumnType<T, string, string>;

/**
 * A tenant: one clinic or clinic group; every owned row carries its id.
 *
 * @example
 * const tenant: Selectable<TenantsTable> = await db.selectFrom('tenants').selectAll().where('id', '=', tenantId).executeTakeFirstOrThrow();
 */
export interface TenantsTable {
  id: string;
  name: string;
  created_at: Date;
}

/**
 * API keys (integration tokens); only the SHA-256 of the key is stored.
 *
 * @example
 * await db.selectFrom('api_keys').select(['id', 'status']).where('key_hash', '=', hashSecret(key)).executeTakeFirst();
 */
export interface ApiKeysTable {
  id: string;
  tenant_id: string;
  name: string;
  key_hash: string;
  key_prefix: string;
  scopes: Json<string[]>;
  status: 'active' | 'revoked';
  tier: 'standard' | 'high';
  created_by: string;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
  /** Addresses and CIDR ranges it may be used from; null: any (finding 18). */
  allowed_ips: ColumnType<string[] | null, string | null | undefined, string | null>;
  /** SHA-256 (hex) of the TLS client certificate it must come with; null: none (finding 18). */
  client_cert_sha256: ColumnType<string | null, string | null | undefined, string | null>;
  /** The registered integration it belongs to (refused while that is paused); null: none. */
  integration_id: ColumnType<string | null, string | null | undefined, string | null>;
}

/**
 * OAuth clients for the client-credentials grant; the secret is stored hashed.
 *
 * @example
 * await db.selectFrom('oauth_clients').select('scopes').where('id', '=', 'cli_…').executeTakeFirst();
 */
export interface OAuthClientsTable {
  id: string;
  tenant_id: string;
  name: string;
  secret_hash: string;
  scopes: Json<string[]>;
  tier: 'standard' | 'high';
  status: 'active' | 'revoked';
  created_at: Date;
  /** Addresses and CIDR ranges it may be used from; null: any (finding 18). */
  allowed_ips: ColumnType<string[] | null, string | null | undefined, string | null>;
  /** SHA-256 (hex) of the TLS client certificate it must come with; null: none (finding 18). */
  client_cert_sha256: ColumnType<string | null, string | null | undefined, string | null>;
  /** The registered integration it belongs to (refused while that is paused); null: none. */
  integration_id: ColumnType<string | null, string | null | undefined, string | null>;
}

/**
 * Asymmetric keys that sign access tokens; retired keys stay published until their tokens expire.
 *
 * @example
 * await db.selectFrom('signing_keys').select('kid').where('retired_at', 'is', null).execute();
 */
export interface SigningKeysTable {
  kid: string;
  alg: string;
  private_jwk: Json<Record<string, unknown>>;
  public_jwk: Json<Record<string, unknown>>;
  created_at: Date;
  retired_at: Date | null;
}

/**
 * Stored responses of idempotent writes, per tenant and key, kept 24 hours.
 *
 * @example
 * await db.deleteFrom('idempotency_keys').where('expires_at', '<=', new Date()).execute();
 */
export interface IdempotencyKeysTable {
  tenant_id: string;
  key: string;
  /** The credential the response belongs to; null on rows stored before keys were bound. */
  credential_id: string | null;
  fingerprint: string;
  operation_id: string;
  state: 'in_flight' | 'completed';
  response_status: number | null;
  response_body: Json<unknown> | null;
  created_at: Date;
  locked_until: Date;
  expires_at: Date;
}

/**
 * Patients. Names, birth date and contact details are encrypted in `pii`
 * (see src/patients/pii.ts); the plaintext columns are null once a row is
 * encrypted and only rows written before migration `0005-core-patient-pii`
 * still hold them, until the background job encrypts them.
 *
 * @example
 * await db.selectFrom('patients').select('id').where('tenant_id', '=', tenantId).execute();
 */
export interface PatientsTable {
  id: string;
  tenant_id: string;
  given_name: string | null;
  family_name: string | null;
  birth_date: string | null;
  email: string | null;
  phone: string | null;
  /** The encrypted names, birth date, email and phone (one JSON document). */
  pii: string | null;
  /** The id of the key `pii` is encrypted under (rotation finds stale rows by it). */
  pii_kid: string | null;
  /** Blind indexes (HMAC) of the email and phone, for exact lookups. */
  email_index: string | null;
  phone_index: string | null;
  external_ref: string | null;
  preferred_language: string;
  country_code: string | null;
  consent_messaging: boolean;
  consent_marketing: boolean;
  created_at: Date;
  updated_at: Date;
}

/**
 * Appointments; `status` follows the contract's state machine.
 *
 * @example
 * await db.selectFrom('appointments').select('status').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
 */
export interface AppointmentsTable {
  id: string;
  tenant_id: string;
  patient_id: string;
  service: string;
  clinician_ref: string | null;
  location: string | null;
  starts_at: Date;
  ends_at: Date;
  status: 'scheduled' | 'cancelled' | 'completed';
  cancellation_reason: string | null;
  notes: string | null;
  created_at: Date;
  updated_at: Date;
}

/**
 * Visits: opened, then completed.
 *
 * @example
 * await db.selectFrom('visits').selectAll().where('tenant_id', '=', tenantId).where('status', '=', 'open').execute();
 */
export interface VisitsTable {
  id: string;
  tenant_id: string;
  patient_id: string;
  appointment_id: string | null;
  status: 'open' | 'completed';
  summary: string | null;
  started_at: Date;
  completed_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/**
 * One stored invoice line, amounts in minor units of the invoice currency.
 *
 * @example
 * const line: InvoiceLineRow = { description: 'X-ray', quantity: 1, unitPrice: 333, taxRateBps: 0, subtotal: 333, tax: 0, total: 333 };
 */
export interface InvoiceLineRow {
  description: string;
  quantity: number;
  unitPrice: number;
  taxRateBps: number;
  subtotal: number;
  tax: number;
  total: number;
}

/**
 * Invoices; totals are computed once at issue, paid and refunded amounts move with payments.
 *
 * @example
 * await db.selectFrom('invoices').select(['total', 'amount_paid']).where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
 */
export interface InvoicesTable {
  id: string;
  tenant_id: string;
  patient_id: string;
  visit_id: string | null;
  status: 'open' | 'paid' | 'void';
  currency: string;
  lines: Json<InvoiceLineRow[]>;
  subtotal: number;
  tax: number;
  total: number;
  amount_paid: number;
  amount_refunded: number;
  due_date: string | null;
  created_at: Date;
  updated_at: Date;
}

/**
 * Captured payments against an invoice.
 *
 * @example
 * await db.selectFrom('payments').select('amount').where('tenant_id', '=', tenantId).where('invoice_id', '=', invoiceId).execute();
 */
export interface PaymentsTable {
  id: string;
  tenant_id: string;
  invoice_id: string;
  amount: number;
  currency: string;
  amount_refunded: number;
  method: string;
  source: string;
  external_ref: string | null;
  status: 'succeeded' | 'refunded' | 'partially_refunded';
  received_at: Date;
  created_at: Date;
}

/**
 * Refunds of payments.
 *
 * @example
 * await db.selectFrom('refunds').select('amount').where('tenant_id', '=', tenantId).where('payment_id', '=', paymentId).execute();
 */
export interface RefundsTable {
  id: string;
  tenant_id: string;
  payment_id: string;
  invoice_id: string;
  amount: number;
  currency: string;
  reason: string;
  status: 'succeeded' | 'pending' | 'failed';
  created_at: Date;
}

/**
 * The integrations registry.
 *
 * @example
 * await db.selectFrom('integrations').select('name').where('tenant_id', '=', tenantId).where('status', '=', 'active').execute();
 */
export interface IntegrationsTable {
  id: string;
  tenant_id: string;
  name: string;
  purpose: string;
  scopes: Json<string[]>;
  apis: Json<string[]>;
  events: Json<string[]>;
  status: 'active' | 'paused' | 'deprecated';
  owner: string | null;
  /** Governance (issue 17): why it exists, what data it touches, its risk and next review. */
  justification: ColumnType<string | null, string | null | undefined, string | null>;
  data_scope: ColumnType<string | null, string | null | undefined, string | null>;
  risk_level: ColumnType<
    'low' | 'medium' | 'high' | 'critical' | null,
    'low' | 'medium' | 'high' | 'critical' | null | undefined,
    'low' | 'medium' | 'high' | 'critical' | null
  >;
  risk_notes: ColumnType<string | null, string | null | undefined, string | null>;
  /** `YYYY-MM-DD`. */
  review_date: ColumnType<string | null, string | null | undefined, string | null>;
  /** The review date the review-due alert was raised for (raised once per date). */
  review_alerted_for: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: Date;
  updated_at: Date;
}

/**
 * The transactional outbox: every domain event, written in the transaction of its change.
 *
 * @example
 * await db.selectFrom('events').selectAll().where('sequence', '>', lastSeen).orderBy('sequence').limit(100).execute();
 */
export interface EventsTable {
  id: string;
  tenant_id: string;
  type: string;
  entity_type: string;
  entity_id: string;
  data: Json<Record<string, unknown>>;
  occurred_at: Date;
  /** Commit-independent insertion order; dispatchers read in this order. */
  sequence: Generated<number>;
}

/**
 * The append-only audit log (UPDATE and DELETE are refused by a trigger),
 * hash-chained per tenant so a rewrite that bypasses the trigger shows.
 *
 * @example
 * await db.selectFrom('audit_events').selectAll().where('tenant_id', '=', tenantId).orderBy('occurred_at', 'desc').limit(25).execute();
 */
export interface AuditEventsTable {
  id: string;
  tenant_id: string;
  actor_type: 'api_key' | 'oauth_client' | 'operator' | 'system';
  actor_id: string;
  action: string;
  entity_type: string;
  entity_id: string | null;
  request_id: string | null;
  metadata: Json<Record<string, unknown>>;
  occurred_at: Date;
  /** Position in the tenant's hash chain, from 1 (src/kernel/audit-chain.ts). */
  chain_seq: number;
  /** Hex SHA-256 of the predecessor's hash and this row's canonical content. */
  hash: string;
}

/**
 * Every table of the server. Features add theirs by module augmentation.
 *
 * @example
 * declare module '../db/schema.ts' { interface DB { deliveries: DeliveriesTable } }
 */
export interface DB {
  tenants: TenantsTable;
  api_keys: ApiKeysTable;
  oauth_clients: OAuthClientsTable;
  signing_keys: SigningKeysTable;
  idempotency_keys: IdempotencyKeysTable;
  patients: PatientsTable;
  appointments: AppointmentsTable;
  visits: VisitsTable;
  invoices: InvoicesTable;
  payments: PaymentsTable;
  refunds: RefundsTable;
  integrations: IntegrationsTable;
  events: EventsTable;
  audit_events: AuditEventsTable;
}

/**
 * A selected row of a table.
 *
 * @example
 * const appointment: Row<'appointments'> = await findOwned(db, 'appointments', tenantId, id);
 */
export type Row<T extends keyof DB> = Selectable<DB[T]>;
/**
 * An insertable row of a table.
 *
 * @example
 * const row: NewRow<'tenants'> = { id: newId('ten'), name: 'Clinic', created_at: new Date() };
 */
export type NewRow<T extends keyof DB> = Insertable<DB[T]>;
