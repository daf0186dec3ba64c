/**
 * Table types of the relay, added to the server's `DB` by module
 * augmentation (see src/db/schema.ts). The relay keeps its own bookkeeping
 * so the outbox (`events`, `event_queue`) is not touched.
 */

/**
 * One event to relay to one sink, and when that broker acknowledged it.
 *
 * @example
 * await db.selectFrom('relay_events').select('event_id').where('relayed_at', 'is', null).execute();
 */
export interface RelayEventsTable {
  /** The broker (`nats`, `rabbitmq`): each sink has its own mark of each event. */
  sink: string;
  event_id: string;
  tenant_id: string;
  sequence: number;
  created_at: Date;
  relayed_at: Date | null;
}

/**
 * The per-sink, per-tenant lease: one process at a time publishes a tenant's events to a sink, in order.
 *
 * @example
 * await db.selectFrom('relay_tenants').selectAll().where('lease_owner', 'is not', null).execute();
 */
export interface RelayTenantsTable {
  sink: string;
  tenant_id: string;
  lease_owner: string | null;
  lease_expires_at: Date | null;
}

/**
 * The consumer-side inbox: an event applied by a consumer, so a repeat is skipped.
 *
 * @example
 * await db.selectFrom('relay_consumer_inbox').select('event_id').where('consumer', '=', 'billing').execute();
 */
export interface RelayConsumerInboxTable {
  consumer: string;
  event_id: string;
  processed_at: Date;
}

declare module '../db/schema.ts' {
  interface DB {
    relay_consumer_inbox: RelayConsumerInboxTable;
    relay_events: RelayEventsTable;
    relay_tenants: RelayTenantsTable;
  }
}
