/**
 * Table types of exports, added to the server's `DB` by module
 * augmentation.
 */
import type { Json } from '../db/schema.ts';
import type { ExportFormat } from './formats.ts';
import type { ExportKind } from './generate.ts';

/**
 * One export snapshot: immutable once written (a trigger refuses updates and deletes).
 *
 * @example
 * const snapshot = await db.selectFrom('export_snapshots').selectAll().where('id', '=', id).executeTakeFirst();
 */
export interface ExportSnapshotsTable {
  id: string;
  tenant_id: string;
  kind: ExportKind;
  format: ExportFormat;
  period_from: Date | null;
  period_to: Date | null;
  /** The period ended before the snapshot was taken: asking again returns this snapshot. */
  closed: boolean;
  parameters: Json<Record<string, unknown>>;
  generator_version: string;
  sha256: string;
  size: number;
  row_count: number;
  storage_key: string;
  actor_type: string;
  actor_id: string;
  created_at: Date;
}

declare module '../db/schema.ts' {
  interface DB {
    export_snapshots: ExportSnapshotsTable;
  }
}
