/**
 * The exception playbook of a rejected visa application: three tasks on
 * `/ops` — correct and resubmit, find an alternative route, refund what the
 * patient paid for the trip — opened in the transaction that records the
 * rejection, so a rejection never goes unhandled. The task ids derive from
 * the application, so a rejection seen twice opens them once. Summaries
 * carry ids, countries and reason codes only.
 */
import type { ManualTask } from '@clinicbridge/adapters';
import type { Kysely } from 'kysely';
import type { DB, Row } from '../db/schema.ts';
import { DatabaseManualTaskSink } from '../manual-tasks/store.ts';

/**
 * The playbook's steps, in the order the operators work them.
 *
 * @example
 * VISA_REJECTION_PLAYBOOK.map((step) => step.operation); // ['visa.correct_and_resubmit', …]
 */
export const VISA_REJECTION_PLAYBOOK = [
  {
    step: 'resubmit',
    operation: 'visa.correct_and_resubmit',
    summary: (row: Row<'visa_applications'>, reasons: string) =>
      `Correct visa application ${row.id} (${row.nationality} → ${row.destination}) for ${reasons} and resubmit it.`,
  },
  {
    step: 'alternative',
    operation: 'visa.alternative_route',
    summary: (row: Row<'visa_applications'>) =>
      `Find an alternative route for case ${row.case_ref} (another visa type, consulate or destination) if resubmission cannot succeed.`,
  },
  {
    step: 'refund',
    operation: 'visa.refund',
    summary: (row: Row<'visa_applications'>) =>
      `Refund what the patient paid for case ${row.case_ref} if the trip cannot go ahead.`,
  },
] as const;

/**
 * Opens the playbook's tasks for a rejected application in the caller's transaction.
 *
 * @example
 * await openRejectionPlaybook(trx, row, ['missing_document'], now);
 */
export async function openRejectionPlaybook(
  db: Kysely<DB>,
  row: Row<'visa_applications'>,
  reasonCodes: readonly string[],
  now: Date,
): Promise<void> {
  const sink = new DatabaseManualTaskSink(db);
  const reasons = reasonCodes.length > 0 ? reasonCodes.join(', ') : 'no stated reason';
  for (const step of VISA_REJECTION_PLAYBOOK) {
    const task: ManualTask = {
      id: `mt_${row.id}_${step.step}`,
      kind: 'visa',
      provider: row.provider ?? 'none',
      operation: step.operation,
      subjectRef: row.id,
      summary: step.summary(row, reasons).slice(0, 500),
      reason: 'visa_rejected',
      details: { caseRef: row.case_ref, reasonCodes: reasons },
      createdAt: now.toISOString(),
    };
    await sink.record(task);
  }
}
