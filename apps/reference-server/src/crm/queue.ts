/**
 * Queueing a person for the CRM outside the event bus: a marketing-consent
 * change (a patient's, a lead's) has no event of its own, so it is queued
 * here, in the caller's transaction, and the sync job sends it like any
 * other record (src/crm/sync-job.ts): the person's current row is read
 * when it is sent, a consent given is written, a consent withdrawn is sent
 * as `marketingConsent: false` to a contact synced before.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

/**
 * Queues people whose marketing consent changed.
 *
 * @example
 * await queueConsentForCrm(trx, tenantId, 'lead', ['lea_…'], now);
 */
export async function queueConsentForCrm(
  trx: Kysely<DB>,
  tenantId: string,
  subjectType: 'patient' | 'lead',
  ids: readonly string[],
  now: Date,
): Promise<void> {
  if (ids.length === 0) return;
  await trx
    .insertInto('crm_sync_records')
    .values(
      ids.map((id) => ({
        event_id: `${subjectType}:${id}:${now.getTime()}`,
        tenant_id: tenantId,
        entity_type: subjectType,
        entity_id: id,
        fields: JSON.stringify(
          subjectType === 'patient' ? { eventType: 'consent.changed', patientId: id } : {},
        ),
        status: 'queued' as const,
        created_at: now,
      })),
    )
    .onConflict((oc) => oc.column('event_id').doNothing())
    .execute();
}
