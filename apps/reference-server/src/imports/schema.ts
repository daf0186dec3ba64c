/**
 * Table types of imports, added to the server's `DB` by module
 * augmentation.
 */
import type { ColumnType } from 'kysely';

/**
 * One import job: a dry run or an apply, with its counts and first rejects.
 *
 * @example
 * const job = await db.selectFrom('import_jobs').selectAll().where('id', '=', id).executeTakeFirst();
 */
export interface ImportJobsTable {
  id: string;
  tenant_id: string;
  kind: 'patients' | 'appointments';
  format: 'csv' | 'ndjson';
  dry_run: boolean;
  sha256: string;
  status: 'completed' | 'failed';
  total_rows: number;
  imported_rows: number;
  failed_rows: number;
  errors: ColumnType<unknown, string, string>;
  actor_type: string;
  actor_id: string;
  created_at: Date;
  completed_at: Date | null;
}

declare module '../db/schema.ts' {
  interface DB {
    import_jobs: ImportJobsTable;
  }
}
