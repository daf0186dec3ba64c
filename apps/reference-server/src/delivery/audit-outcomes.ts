/**
 * Audit rows of automatic deliveries (issue #10, finding 16): one row per
 * delivery that reached a final outcome — `delivery.succeeded` or
 * `delivery.dead_lettered` — never one per attempt, so the log grows with
 * deliveries, not with a failing receiver's retries. Written in the
 * transaction that records the attempt.
 */
import { newId } from '@clinicbridge/sdk/contract';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { appendAuditRows } from '../kernel/audit-chain.ts';
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
  const byTenant = new Map<string, AttemptRecord[]>();
  for (const record of records) {
    if (record.status === 'failed') continue;
    const list = byTenant.get(record.tenantId);
    if (list) list.push(record);
    else byTenant.set(record.tenantId, [record]);
  }
  // One tenant lock after another in a fixed order: two batches never wait on each other in a
  // cycle. Each tenant's rows go in one append (a lock and one insert), not one statement each.
  for (const tenantId of [...byTenant.keys()].sort()) {
    await appendAuditRows(
      trx,
      tenantId,
      (byTenant.get(tenantId) ?? []).map((record) => ({
        id: newId('aud'),
        tenantId,
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
      })),
    );
  }
}
