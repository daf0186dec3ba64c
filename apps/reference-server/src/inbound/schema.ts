/**
 * Table types of inbound provider webhooks, added to the server's `DB` by
 * module augmentation (see src/db/schema.ts).
 */

/**
 * Processing state of an inbound webhook.
 *
 * @example
 * const status: InboundStatus = 'unparseable';
 */
export type InboundStatus = 'received' | 'processed' | 'unparseable' | 'failed';

/**
 * One verified provider webhook, stored raw.
 *
 * @example
 * await db.selectFrom('inbound_webhooks').selectAll().where('status', '=', 'failed').execute();
 */
export interface InboundWebhooksTable {
  id: string;
  provider: string;
  provider_event_id: string;
  event_type: string | null;
  status: InboundStatus;
  reason: string | null;
  raw_body: string;
  attempts: number;
  next_attempt_at: Date | null;
  received_at: Date;
  processed_at: Date | null;
}

declare module '../db/schema.ts' {
  interface DB {
    inbound_webhooks: InboundWebhooksTable;
  }
}
