/**
 * Table types of the CRM feature, added to the server's `DB` by module
 * augmentation (see src/db/schema.ts). `crm_sync_records` itself is typed
 * with the bus (src/scheduler/schema.ts).
 */

/**
 * Which CRM record a platform person became: written when a contact is
 * upserted, read when the CRM's webhook names that record.
 *
 * @example
 * await db.selectFrom('crm_links').select('subject_ref').where('crm_record_id', '=', '101').execute();
 */
export interface CrmLinksTable {
  tenant_id: string;
  /** The CRM's object type (`contacts`). */
  object_type: string;
  crm_record_id: string;
  subject_type: 'patient' | 'lead';
  subject_ref: string;
  updated_at: Date;
}

declare module '../db/schema.ts' {
  interface DB {
    crm_links: CrmLinksTable;
  }
}
