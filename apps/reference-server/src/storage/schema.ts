/**
 * The table of kept objects, added to the server's `DB` by module
 * augmentation (see src/db/schema.ts).
 */

/**
 * One object a feature keeps in the object store, owned by a tenant. A row
 * with `retain_until` in the future cannot be deleted (a trigger refuses
 * it), so a retention rule such as e-invoices' ten years holds whatever
 * code asks.
 *
 * @example
 * await db.selectFrom('storage_objects').selectAll().where('tenant_id', '=', tenantId).execute();
 */
export interface StorageObjectsTable {
  key: string;
  tenant_id: string;
  /** What the object is for (`export`, `e_invoice`, `document`, `import_upload`, …). */
  purpose: string;
  size: number;
  sha256: string;
  content_type: string | null;
  retain_until: Date | null;
  created_at: Date;
}

declare module '../db/schema.ts' {
  interface DB {
    storage_objects: StorageObjectsTable;
  }
}
