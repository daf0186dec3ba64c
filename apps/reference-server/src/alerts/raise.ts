/**
 * Operator alerts: rows the `/ops` pages and the on-call operator read when
 * something needs a human (an endpoint disabled, a subscriber that gave up,
 * an inbound payload that verified but does not parse).
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

/**
 * What an alert says.
 *
 * @example
 * const alert: NewAlert = { tenantId: null, kind: 'inbound_webhook_failed', message: '…', details: {}, now: new Date() };
 */
export interface NewAlert {
  readonly tenantId: string | null;
  readonly kind: string;
  readonly message: string;
  readonly details: Record<string, unknown>;
  readonly now: Date;
}

/**
 * Records an alert in the caller's transaction.
 *
 * @example
 * await raiseAlert(trx, { tenantId, kind: 'webhook_endpoint_disabled', message, details: { endpointId }, now });
 */
export async function raiseAlert(trx: Kysely<DB>, alert: NewAlert): Promise<string> {
  const id = `alr_${randomUUID().replaceAll('-', '')}`;
  await trx
    .insertInto('operator_alerts')
    .values({
      id,
      tenant_id: alert.tenantId,
      kind: alert.kind,
      message: alert.message,
      details: JSON.stringify(alert.details),
      created_at: alert.now,
      resolved_at: null,
    })
    .execute();
  return id;
}
