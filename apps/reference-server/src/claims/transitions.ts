/**
 * Moving a claim through its state machine: the contract's
 * `nextClaimStatus` decides whether a transition is legal, and the row
 * change, its audit row and its `claim.*` event are written together in
 * the caller's transaction. Event data carries ids, codes, statuses and
 * amounts only: never the member id, diagnoses or documents.
 */
import { type ClaimTransition, type EventData, nextClaimStatus } from '@clinicbridge/sdk/contract';
import type { Kysely, Updateable } from 'kysely';
import type { DB, Row } from '../db/schema.ts';
import type { ChangeContext } from '../kernel/change.ts';
import { updateOwned } from '../kernel/owned.ts';
import { ApiError } from '../kernel/problem.ts';
import { recordChange } from '../kernel/record-change.ts';
import type { ClaimsTable } from './schema.ts';

/**
 * The `data` of a claim event for `row`.
 *
 * @example
 * claimEventData(row); // { claimId, patientId, invoiceId, insurer, amount, status }
 */
export function claimEventData(row: Row<'claims'>): EventData<'claim.created'> {
  const money = (amount: number | null) =>
    amount === null ? undefined : { amount, currency: row.currency };
  const approved = money(row.approved_amount);
  const paid = money(row.paid_amount);
  return {
    claimId: row.id,
    patientId: row.patient_id as `pat_${string}`,
    invoiceId: row.invoice_id as `inv_${string}`,
    insurer: row.payer_ref,
    amount: { amount: row.amount, currency: row.currency },
    status: row.status,
    ...(row.status === 'denied' || row.status === 'self_pay'
      ? { reasonCodes: row.reason_codes.map((r) => r.code) }
      : {}),
    ...(approved ? { approvedAmount: approved } : {}),
    ...(paid ? { paidAmount: paid } : {}),
    ...(row.remittance_ref ? { remittanceRef: row.remittance_ref } : {}),
    ...(row.resubmissions > 0 ? { resubmission: row.resubmissions } : {}),
  };
}

/** Columns a transition may set besides the status (JSON columns as written). */
export type ClaimPatch = Omit<Updateable<ClaimsTable>, 'id' | 'tenant_id' | 'status'>;

/**
 * Applies `transition` to a locked claim row with `patch`, recording the
 * audit row and the event; 409 when the machine forbids it.
 *
 * @example
 * await applyTransition(trx, change, row, 'claim.denied', { reason_codes: JSON.stringify(reasons) });
 */
export async function applyTransition(
  db: Kysely<DB>,
  change: ChangeContext,
  row: Row<'claims'>,
  transition: ClaimTransition,
  patch: ClaimPatch = {},
): Promise<Row<'claims'>> {
  const status = nextClaimStatus(row.status, transition);
  if (!status) {
    throw new ApiError(
      'invalid_state_transition',
      `A ${row.status} claim cannot move by ${transition}.`,
    );
  }
  const set = { ...patch, status, updated_at: change.now };
  await updateOwned(db, 'claims', change.tenantId, row.id, set);
  const next = { ...row, ...(set as unknown as Partial<Row<'claims'>>), status } as Row<'claims'>;
  if (typeof patch.reason_codes === 'string') next.reason_codes = JSON.parse(patch.reason_codes);
  if (typeof patch.diagnoses === 'string') next.diagnoses = JSON.parse(patch.diagnoses);
  await recordChange(db, change, {
    action: transition,
    entityType: 'claim',
    entityId: row.id,
    audit: { from: row.status, to: status },
    event: { type: transition, data: claimEventData(next) },
  });
  return next;
}
