/**
 * A claim's history and its re-delivery: every `claim.*` event of the
 * claim in the order it was recorded (the outbox sequence), and the same
 * events delivered again to one webhook endpoint for a dispute.
 */
import type { EventEnvelope } from '@clinicbridge/sdk/contract';
import { auditActions } from '@clinicbridge/sdk/contract';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { redeliverEvents } from '../delivery/redeliver.ts';
import { auditChange, type ChangeContext } from '../kernel/change.ts';
import { toEnvelope } from '../kernel/outbox.ts';
import { requireClaim } from './service.ts';

/** A claim's events are few (each transition once, resubmissions bounded); this bounds the read. */
const MAX_HISTORY = 500;

/**
 * Every event of a claim, oldest first.
 *
 * @example
 * const { data } = await claimHistory(db, tenantId, 'clm_…');
 */
export async function claimHistory(
  db: Kysely<DB>,
  tenantId: string,
  claimId: string,
): Promise<{ data: EventEnvelope[] }> {
  await requireClaim(db, tenantId, claimId);
  const rows = await db
    .selectFrom('events')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('entity_type', '=', 'claim')
    .where('entity_id', '=', claimId)
    .orderBy('sequence')
    .limit(MAX_HISTORY)
    .execute();
  return { data: rows.map(toEnvelope) };
}

/**
 * Delivers every event of a claim again to `endpointId`.
 *
 * @example
 * const { scheduled, eventIds } = await redeliverClaim(trx, change, 'clm_…', 'whep_…');
 */
export async function redeliverClaim(
  db: Kysely<DB>,
  change: ChangeContext,
  claimId: string,
  endpointId: string,
): Promise<{ scheduled: number; eventIds: `evt_${string}`[] }> {
  const { data } = await claimHistory(db, change.tenantId, claimId);
  const eventIds = data.map((e) => e.id);
  const scheduled = await redeliverEvents(db, change.tenantId, endpointId, eventIds, change.now);
  await auditChange(db, change, auditActions['claims.redeliver'], 'claim', claimId, {
    endpointId,
    scheduled,
  });
  return { scheduled, eventIds };
}
