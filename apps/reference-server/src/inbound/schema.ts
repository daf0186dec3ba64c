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
 * One verified provider webhook, its body stored encrypted.
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
  /** The body, encrypted (see src/inbound/raw-body.ts) unless `raw_body_kid` is null. */
  raw_body: string;
  raw_body_kid: string | null;
  attempts: number;
  next_attempt_at: Date | null;
  received_at: Date;
  processed_at: Date | null;
}

/**
 * The current state of an entity a provider owns (a visa case, a booking, a
 * stay, a claim), advanced by each of its inbound webhooks: the server keeps
 * no table of its own for these, so this is where "the case advanced" lives.
 *
 * @example
 * await db.selectFrom('provider_entities').select('status').where('entity_id', '=', 'case-42').execute();
 */
export interface ProviderEntitiesTable {
  tenant_id: string;
  provider: string;
  entity_type: string;
  entity_id: string;
  status: string;
  last_event_type: string;
  updated_at: Date;
}

declare module '../db/schema.ts' {
  interface DB {
    inbound_webhooks: InboundWebhooksTable;
    provider_entities: ProviderEntitiesTable;
  }
}
