/**
 * Audit rows of automatic deliveries (issue #10, finding 16): one row per
 * delivery that reached a final outcome — `delivery.succeeded` or
 * `delivery.dead_lettered` — never one per attempt, so the log grows with
 * deliveries, not with a failing receiver's retries. Written in the
 * transaction that records the attempt.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { recordAudit } from '../kernel/change.ts';
import type { AttemptRecord } from './claims.ts';

/**
 * Who the audit log names for automatic deliveries.
 *
 * @example
 * recordAudit(trx, { actor: DELIVERY_ACTOR, … });
 */
export const DELIVERY_ACTOR = { type: 'system', id: 'delivery' } as const;

/**
 * Appends an audit row for each record that finished its delivery.
 *
 * @example
 * await auditDeliveryOutcomes(trx, await recordAttempts(trx, worker, batch));
 */
export async function auditDeliveryOutcomes(
  trx: Kysely<DB>,
  records: readonly AttemptRecord[],
): Promise<void> {
  const final = records
    .filter((r) => r.status !== 'failed')
    // One tenant lock after another in a fixed order: two batches never wait on each other in a cycle.
    .sort((a, b) => (a.tenantId < b.tenantId ? -1 : a.tenantId > b.tenantId ? 1 : 0));
  for (const record of final) {
    await recordAudit(trx, {
      tenantId: record.tenantId,
      actor: DELIVERY_ACTOR,
      action: record.status === 'succeeded' ? 'delivery.succeeded' : 'delivery.dead_lettered',
      entityType: 'delivery',
      entityId: record.deliveryId,
      metadata: {
        endpointId: record.endpointId,
        attemptId: record.attemptId,
        responseStatus: record.responseStatus,
        scheduleStep: record.scheduleStep,
      },
      occurredAt: record.attemptedAt,
    });
  }
}
