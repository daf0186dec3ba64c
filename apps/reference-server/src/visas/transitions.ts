/**
 * Moving a visa application to a new status: the row change, its audit row
 * and its event are written together in the caller's transaction. The
 * event is `visa.submitted`, `visa.granted` or `visa.rejected` for those
 * statuses and `visa.status_changed` for every other; its data carries ids,
 * country and reason codes and statuses only — never documents, names or
 * the visa number. A rejection opens the exception playbook's tasks
 * (./playbook.ts) in the same transaction.
 */
import type { EventData, EventType, VisaApplicationStatus } from '@clinicbridge/sdk/contract';
import type { Kysely, Updateable } from 'kysely';
import type { DB, Row } from '../db/schema.ts';
import type { ChangeContext } from '../kernel/change.ts';
import { updateOwned } from '../kernel/owned.ts';
import { recordChange } from '../kernel/record-change.ts';
import { openRejectionPlaybook } from './playbook.ts';
import type { VisaApplicationsTable } from './schema.ts';

/** Columns a move may set besides the status (JSON columns as written). */
export type VisaPatch = Omit<Updateable<VisaApplicationsTable>, 'id' | 'tenant_id' | 'status'>;

type VisaEventType = Extract<EventType, `visa.${string}`>;

const eventTypeFor = (status: VisaApplicationStatus): VisaEventType =>
  status === 'submitted'
    ? 'visa.submitted'
    : status === 'granted'
      ? 'visa.granted'
      : status === 'rejected'
        ? 'visa.rejected'
        : 'visa.status_changed';

/**
 * The `data` of a visa event for `row`.
 *
 * @example
 * visaEventData(row, 'submitted'); // { applicationId, caseId, patientId, country, status, previousStatus, reasonCodes }
 */
export function visaEventData(
  row: Row<'visa_applications'>,
  previousStatus: VisaApplicationStatus | null,
): EventData<'visa.submitted'> {
  return {
    applicationId: row.id as `vsa_${string}`,
    caseId: row.case_ref,
    patientId: row.patient_id as `pat_${string}`,
    country: row.destination,
    status: row.status,
    previousStatus,
    reasonCodes: row.reason_codes,
  };
}

/**
 * Sets `status` (and `patch`) on a locked application row, recording the
 * audit row (`visa_application.<status>`, or `action`) and the event.
 *
 * @example
 * await moveVisaApplication(trx, change, row, 'granted', { visa_number: 'MV1' });
 */
export async function moveVisaApplication(
  db: Kysely<DB>,
  change: ChangeContext,
  row: Row<'visa_applications'>,
  status: VisaApplicationStatus,
  patch: VisaPatch = {},
  action = `visa_application.${status}`,
): Promise<Row<'visa_applications'>> {
  const set = { ...patch, status, updated_at: change.now };
  await updateOwned(db, 'visa_applications', change.tenantId, row.id, set);
  const next = {
    ...row,
    ...(set as unknown as Partial<Row<'visa_applications'>>),
    status,
  } as Row<'visa_applications'>;
  if (typeof patch.reason_codes === 'string') next.reason_codes = JSON.parse(patch.reason_codes);
  await recordChange(db, change, {
    action,
    entityType: 'visa_application',
    entityId: row.id,
    audit: { from: row.status, to: status },
    event: { type: eventTypeFor(status), data: visaEventData(next, row.status) },
  });
  if (status === 'rejected') await openRejectionPlaybook(db, next, next.reason_codes, change.now);
  return next;
}
