/**
 * Table types of the shipping feature, added to the server's `DB` by
 * module augmentation (see src/db/schema.ts).
 */
import type { ShipmentStatus } from '@clinicbridge/sdk/contract';

/**
 * A shipment of a case: the provider's ids, the carrier, tracking and
 * cost, and when it is next polled. No address is kept.
 *
 * @example
 * await db.selectFrom('shipments').selectAll().where('tracker_id', '=', trackerId).execute();
 */
export interface ShipmentsTable {
  id: string;
  tenant_id: string;
  case_id: string;
  contents: 'medication' | 'documents';
  status: ShipmentStatus;
  /** `easypost` or `manual`. */
  provider: string;
  provider_shipment_id: string | null;
  tracker_id: string | null;
  carrier: string | null;
  service: string | null;
  tracking_code: string | null;
  label_url: string | null;
  amount_minor: number | null;
  currency: string | null;
  estimated_delivery: string | null;
  manual_task_id: string | null;
  next_poll_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

declare module '../db/schema.ts' {
  interface DB {
    shipments: ShipmentsTable;
  }
}
