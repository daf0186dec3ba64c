/**
 * Audit rows of automatic deliveries (issue #10, finding 16): one row per
 * delivery that reached a final outcome — `delivery.succeeded` or
 * `delivery.dead_lettered` — never one per attempt, so the log grows with
 * deliveries, not with a failing receiver's retries. Written by the
 * statement that records the attempt (claims.ts).
 */
import { newId } from '@clinicbridge/sdk/contract';
import type { AuditChainContent } from '../kernel/audit-chain.ts';
import type { AttemptRecord } from './claims.ts';

/**
 * Who the audit log names for automatic deliveries.
 *
 * @example
 * deliveryOutcomeAudit(record)?.actorId === DELIVERY_ACTOR.id; // true
 */
export const DELIVERY_ACTOR = { type: 'system', id: 'delivery' } as const;

/**
 * The audit row of a record that finished its delivery (succeeded or dead
 * lettered); null for a failed attempt that will be retried.
 *
 * @example
 * const row = deliveryOutcomeAudit(record); // { action: 'delivery.succeeded', … }
 */
export function deliveryOutcomeAudit(
  record: AttemptRecord,
): Omit<AuditChainContent, 'chainSeq'> | null {
  if (record.status === 'failed') return null;
  return {
    id: newId('aud'),
    tenantId: record.tenantId,
    actorType: DELIVERY_ACTOR.type,
    actorId: DELIVERY_ACTOR.id,
    action: record.status === 'succeeded' ? 'delivery.succeeded' : 'delivery.dead_lettered',
    entityType: 'delivery',
    entityId: record.deliveryId,
    requestId: null,
    metadata: {
      endpointId: record.endpointId,
      attemptId: record.attemptId,
      responseStatus: record.responseStatus,
      scheduleStep: record.scheduleStep,
    },
    occurredAt: record.attemptedAt,
  };
}
