/**
 * The visa decision SLA: an application still undecided (pending,
 * submitted, in review, documents requested, or with the operators) longer
 * than VISAS_DECISION_SLA after its creation raises one operator alert
 * `visa_sla_breached`. Several processes may run the check: the alert is
 * raised by whichever sets `sla_alerted_at` first.
 */
import type { Kysely } from 'kysely';
import { raiseAlert } from '../alerts/raise.ts';
import type { DB } from '../db/schema.ts';

const UNDECIDED = ['pending', 'submitted', 'in_review', 'documents_requested', 'manual'] as const;
const BATCH = 50;

/**
 * Raises the alerts of applications past the SLA; resolves to how many it raised.
 *
 * @example
 * await raiseSlaBreaches(db, 21 * 86_400_000, new Date());
 */
export async function raiseSlaBreaches(db: Kysely<DB>, slaMs: number, now: Date): Promise<number> {
  const overdue = await db
    .selectFrom('visa_applications')
    .select('id')
    .where('sla_alerted_at', 'is', null)
    .where('status', 'in', UNDECIDED)
    .where('created_at', '<', new Date(now.getTime() - slaMs))
    .orderBy('created_at')
    .limit(BATCH)
    .execute();
  let raised = 0;
  for (const { id } of overdue) {
    const done = await db.transaction().execute(async (trx) => {
      const row = await trx
        .updateTable('visa_applications')
        .set({ sla_alerted_at: now })
        .where('id', '=', id)
        .where('sla_alerted_at', 'is', null)
        .where('status', 'in', UNDECIDED)
        .returning(['id', 'tenant_id', 'case_ref', 'status', 'destination', 'created_at'])
        .executeTakeFirst();
      if (!row) return false;
      const hours = Math.floor((now.getTime() - row.created_at.getTime()) / 3_600_000);
      await raiseAlert(trx, {
        tenantId: row.tenant_id,
        kind: 'visa_sla_breached',
        message: `Visa application ${row.id} (case ${row.case_ref}, ${row.destination}) has waited ${hours} h for a decision and is still ${row.status}; chase the partner or the consulate.`,
        details: { applicationId: row.id, caseRef: row.case_ref, status: row.status },
        now,
      });
      return true;
    });
    if (done) raised++;
  }
  return raised;
}
