/**
 * Table types of imports, added to the server's `DB` by module
 * augmentation.
 */
import type { ColumnType, Generated } from 'kysely';
import type { ImportFormat, ImportKind } from './kinds.ts';

/**
 * One import job: a dry run or an apply, with its counts and first rejects.
 *
 * @example
 * const job = await db.selectFrom('import_jobs').selectAll().where('id', '=', id).executeTakeFirst();
 */
export interface ImportJobsTable {
  id: string;
  tenant_id: string;
  kind: ImportKind;
  format: ImportFormat;
  dry_run: boolean;
  sha256: string;
  status: 'pending' | 'processing' | 'completed' | 'failed';
  total_rows: number;
  imported_rows: number;
  failed_rows: number;
  errors: ColumnType<unknown, string, string>;
  actor_type: string;
  actor_id: string;
  created_at: Date;
  completed_at: Date | null;
  /** Records read so far (the counts above grow batch by batch while the job runs). */
  rows_read: ColumnType<number, number | undefined, number>;
  /** File row of the last committed batch: a resumed job starts after it. */
  committed_through_row: ColumnType<number, number | undefined, number>;
  batches: ColumnType<number, number | undefined, number>;
  /** When a runner may lease the job (null: not queued); the lease moves it ahead. */
  next_check_at: Date | null;
  attempts: ColumnType<number, number | undefined, number>;
  failure_code: ColumnType<string | null, string | null | undefined, string | null>;
  failure_detail: ColumnType<string | null, string | null | undefined, string | null>;
  updated_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

/**
 * The content of a background import job, kept until the job ends.
 *
 * @example
 * await db.selectFrom('import_job_files').select('content').where('job_id', '=', id).executeTakeFirst();
 */
export interface ImportJobFilesTable {
  job_id: string;
  /** The content itself when `pieces` is 0 (a job queued before pieces); else empty. */
  content: string;
  /** The column mapping the import was sent with (JSON, source header → field); null when none. */
  mapping: string | null;
  /** How many rows of `import_job_file_pieces` hold the content (0: `content` holds it). */
  pieces: ColumnType<number, number | undefined, number>;
}

/**
 * One piece of a queued file's content, in order by `seq` (from 0).
 *
 * @example
 * await db.selectFrom('import_job_file_pieces').select('piece').where('job_id', '=', id).where('seq', '=', 0).executeTakeFirst();
 */
export interface ImportJobFilePiecesTable {
  job_id: string;
  seq: number;
  piece: string;
}

/**
 * A lead from an agent or a campaign, attributed, one per phone and per email in a tenant.
 * Name, phone, email and notes are encrypted into `pii` (src/leads/pii.ts); the
 * plaintext columns hold only rows stored before encryption, until the leads job encrypts them.
 *
 * @example
 * await db.selectFrom('leads').selectAll().where('campaign', '=', 'spring').execute();
 */
export interface LeadsTable {
  id: string;
  tenant_id: string;
  /** Plaintext of a row not yet encrypted; null once `pii` holds it. */
  name: string | null;
  /** E.164; plaintext of a row not yet encrypted. */
  phone: string | null;
  /** Lower-cased; plaintext of a row not yet encrypted. */
  email: string | null;
  source: string;
  campaign: string | null;
  agent_ref: string | null;
  country_code: string | null;
  /** Plaintext of a row not yet encrypted. */
  notes: string | null;
  created_at: Date;
  /** The encrypted personal fields (name, phone, email, notes). */
  pii: string | null;
  /** The key `pii` is encrypted under; null for a row not yet encrypted. */
  pii_kid: string | null;
  /** Blind index of the E.164 phone: how leads are de-duplicated and found. */
  phone_index: string | null;
  /** Blind index of the lower-cased email. */
  email_index: string | null;
  /** Whether the lead agreed to marketing: only then may it reach a CRM (src/crm). */
  marketing_consent: Generated<boolean>;
  /** When the consent last changed. */
  marketing_consent_at: Date | null;
}

/**
 * A partner's saved column mapping for one import kind: source header → field.
 *
 * @example
 * await db.selectFrom('import_mappings').selectAll().where('kind', '=', 'leads').execute();
 */
export interface ImportMappingsTable {
  id: string;
  tenant_id: string;
  name: string;
  kind: ImportKind;
  columns: ColumnType<Record<string, string>, string, string>;
  created_at: Date;
  updated_at: Date;
}

/**
 * One line of a payment provider's settlement, stored for reconciliation; amounts in minor units (bigint).
 *
 * @example
 * await db.selectFrom('settlement_lines').selectAll().where('settlement_ref', '=', 'po_1').execute();
 */
export interface SettlementLinesTable {
  id: string;
  tenant_id: string;
  settlement_ref: string;
  line_ref: string;
  occurred_at: Date;
  type: string | null;
  amount: ColumnType<string | number, number, number>;
  fee: ColumnType<string | number, number, number>;
  currency: string;
  payment_ref: string | null;
  description: string | null;
  created_at: Date;
}

declare module '../db/schema.ts' {
  interface DB {
    import_jobs: ImportJobsTable;
    import_job_files: ImportJobFilesTable;
    import_job_file_pieces: ImportJobFilePiecesTable;
    leads: LeadsTable;
    import_mappings: ImportMappingsTable;
    settlement_lines: SettlementLinesTable;
  }
}
