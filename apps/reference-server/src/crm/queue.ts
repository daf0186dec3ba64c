/**
 * Queueing a person for the CRM outside the event bus: a lead has no
 * events, so when its marketing consent is given (an import, the API) the
 * lead is queued here, in the caller's transaction, and the sync job
 * sends it like any other record (src/crm/sync-job.ts).
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

/**
 * Queues leads for the CRM; each one's current row is read when it is sent.
 *
 * @example
 * await queueLeadForCrm(trx, tenantId, ['lea_…'], now);
 */
export async function queueLeadForCrm(
  trx: Kysely<DB>,
  tenantId: string,
  leadIds: readonly string[],
  now: Date,
): Promise<void> {
  if (leadIds.length === 0) return;
  await trx
    .insertInto('crm_sync_records')
    .values(
      leadIds.map((leadId) => ({
        event_id: `lead:${leadId}:${now.getTime()}`,
        tenant_id: tenantId,
        entity_type: 'lead',
        entity_id: leadId,
        fields: JSON.stringify({ marketingConsent: true }),
        status: 'queued' as const,
        created_at: now,
        next_attempt_at: now,
      })),
    )
    .onConflict((oc) => oc.column('event_id').doNothing())
    .execute();
}
