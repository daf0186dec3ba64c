/**
 * The write ceremony of every service in one call: after the service has
 * changed its row, `recordChange` appends the audit row and, when the change
 * is one partners hear about, the outbox event — both in the caller's
 * transaction, so the state, the audit log and the event stream never
 * disagree. Both rows go in one statement; in a write the pipeline runs, the
 * statement is held and joins the one storing the idempotent response
 * (./held-change.ts).
 */
import type { EventData, EventType } from '@clinicbridge/sdk/contract';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { auditRowOf, type ChangeContext } from './change.ts';
import { type ChangeRows, writeOrHoldChange } from './held-change.ts';
import { validEventRow } from './outbox.ts';

/**
 * One change as a service describes it.
 *
 * @example
 * const entry: RecordedChange<'visit.completed'> = { action: 'visit.completed', entityType: 'visit', entityId: id, event: { type: 'visit.completed', data } };
 */
export interface RecordedChange<T extends EventType> {
  /** Audit action, `<entity>.<past-tense verb>` (see the contract's `auditActions`). */
  action: string;
  entityType: string;
  entityId: string;
  /** Audit metadata: ids, statuses, amounts; never PII or secrets. */
  audit?: Record<string, unknown>;
  /** The catalogue event of the change, if partners hear about it. */
  event?: { type: T; data: EventData<T> };
}

/**
 * Appends the audit row and the event of a change made under `change`.
 *
 * @example
 * await recordChange(trx, change, {
 *   action: 'visit.completed', entityType: 'visit', entityId: id,
 *   event: { type: 'visit.completed', data: { visitId: id, patientId, appointmentId: null, completedAt } },
 * });
 */
export async function recordChange<T extends EventType>(
  db: Kysely<DB>,
  change: ChangeContext,
  entry: RecordedChange<T>,
): Promise<void> {
  await writeOrHoldChange(db, changeRowsOf(change, entry));
}

/**
 * The audit row and event {@link recordChange} would write, validated, for a
 * statement that writes them itself (kernel/one-statement-write.ts).
 *
 * @example
 * const rows = changeRowsOf(change, { action: 'appointment.created', entityType: 'appointment', entityId: id });
 */
export function changeRowsOf<T extends EventType>(
  change: ChangeContext,
  entry: RecordedChange<T>,
): ChangeRows {
  const audit = auditRowOf({
    tenantId: change.tenantId,
    actor: change.actor,
    action: entry.action,
    entityType: entry.entityType,
    entityId: entry.entityId,
    requestId: change.requestId,
    metadata: entry.audit ?? {},
    occurredAt: change.now,
  });
  const event = entry.event
    ? validEventRow({
        tenantId: change.tenantId,
        type: entry.event.type,
        entityType: entry.entityType,
        entityId: entry.entityId,
        data: entry.event.data,
        occurredAt: change.now,
      }).row
    : null;
  return { audit, event };
}
