/**
 * Table types of the documents feature, added to the server's `DB` by
 * module augmentation (see src/db/schema.ts).
 */
import type { DocumentStatus } from '@clinicbridge/sdk/contract';

/**
 * A patient document: where its file is in the object store (uploads) or
 * the device's reference (imaging), its declared and checked size and
 * type, and when it is deleted.
 *
 * @example
 * await db.selectFrom('documents').selectAll().where('case_id', '=', caseId).execute();
 */
export interface DocumentsTable {
  id: string;
  tenant_id: string;
  case_id: string;
  file_name: string;
  status: DocumentStatus;
  source: 'upload' | 'device';
  /** `docs/{tenant}/{caseId}/{id}-{file}` for uploads; null for device references. */
  storage_key: string | null;
  reference: string | null;
  content_type: string;
  size: number;
  sha256: string | null;
  /** JSON object of short strings (device metadata). */
  metadata: string;
  expires_at: Date;
  created_at: Date;
  updated_at: Date;
}

declare module '../db/schema.ts' {
  interface DB {
    documents: DocumentsTable;
  }
}
