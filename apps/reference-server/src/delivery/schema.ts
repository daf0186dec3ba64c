/**
 * Table types of webhook delivery, added to the server's `DB` by module
 * augmentation (see src/db/schema.ts).
 */
import type { ColumnType } from 'kysely';
import type { Json } from '../db/schema.ts';

/**
 * A tenant's webhook endpoint.
 *
 * @example
 * await db.selectFrom('webhook_endpoints').select(['id', 'url']).where('enabled', '=', true).execute();
 */
export interface WebhookEndpointsTable {
  id: string;
  tenant_id: string;
  url: string;
  description: string | null;
  /** Event types delivered; `['*']` is every type. */
  event_types: Json<string[]>;
  enabled: boolean;
  disabled_reason: string | null;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
  /** First failed attempt of the current unbroken run of failures. */
  failing_since: Date | null;
  /** The registered integration it belongs to (its deliveries wait while that is paused); null: none. */
  integration_id: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: Date;
  updated_at: Date;
}

/**
 * Delivery statuses; `failed` means a retry is scheduled, `dead` is the dead-letter queue.
 *
 * @example
 * const status: DeliveryStatus = 'dead';
 */
export type DeliveryStatus = 'pending' | 'succeeded' | 'failed' | 'dead' | 'cancelled';

/**
 * One event to one endpoint.
 *
 * @example
 * await db.selectFrom('deliveries').selectAll().where('status', '=', 'dead').execute();
 */
export interface DeliveriesTable {
  id: string;
  tenant_id: string;
  event_id: string;
  endpoint_id: string;
  event_type: string;
  status: DeliveryStatus;
  attempt_count: number;
  /** Position in the retry schedule; reset by an operator's retry or replay. */
  schedule_step: number;
  next_attempt_at: Date | null;
  last_attempt_at: Date | null;
  lease_owner: string | null;
  lease_expires_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/**
 * One HTTP attempt of a delivery.
 *
 * @example
 * await db.selectFrom('delivery_attempts').selectAll().where('delivery_id', '=', id).execute();
 */
export interface DeliveryAttemptsTable {
  id: string;
  delivery_id: string;
  tenant_id: string;
  attempted_at: Date;
  response_status: number | null;
  latency_ms: number;
  error: string | null;
  response_snippet: string | null;
  /** The server process that made the attempt. */
  worker: string;
}

declare module '../db/schema.ts' {
  interface DB {
    webhook_endpoints: WebhookEndpointsTable;
    deliveries: DeliveriesTable;
    delivery_attempts: DeliveryAttemptsTable;
  }
}
