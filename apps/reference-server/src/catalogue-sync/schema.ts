/**
 * Table types of the catalogue sync, added to the server's `DB` by module
 * augmentation (see src/db/schema.ts).
 */
import type { Json } from '../db/schema.ts';

/**
 * One record of the source as last merged: its names in every language,
 * the internal row it maps to (none for a clinic: clinics are the
 * `clinic_ref` of prices) and a digest of its contents to tell changes.
 *
 * @example
 * await db.selectFrom('catalogue_sync_records').select('names').where('source_id', '=', 'DENT-IMPL-4').execute();
 */
export interface CatalogueSyncRecordsTable {
  tenant_id: string;
  source: string;
  kind: 'clinic' | 'practitioner' | 'package';
  source_id: string;
  entity_id: string | null;
  names: Json<Record<string, string>>;
  active: boolean;
  content_hash: string;
  synced_at: Date;
}

/**
 * The source's version marker as of the tenant's last complete sync.
 *
 * @example
 * await db.selectFrom('catalogue_sync_state').select('version').where('source', '=', 'ushas').execute();
 */
export interface CatalogueSyncStateTable {
  tenant_id: string;
  source: string;
  version: string;
  synced_at: Date;
}

declare module '../db/schema.ts' {
  interface DB {
    catalogue_sync_records: CatalogueSyncRecordsTable;
    catalogue_sync_state: CatalogueSyncStateTable;
  }
}
