/**
 * The push job: sends the queued pushes of `clinic_pushes` to the clinic's
 * software, at least once (the adapter writes with `PUT` on the platform
 * reference plus an `Idempotency-Key`, so a repeat updates one record).
 * A process leases up to a batch of due rows (`FOR UPDATE SKIP LOCKED`, so
 * several processes share the work) and sends them oldest first; a push
 * waits while an older one for the same record is still queued, so a
 * retried `quoted` deal never lands after its `booked` successor:
 *
 * - delivered → `delivered` with the clinic system's id;
 * - the clinic's breaker is open → the adapter's manual task on /ops, `manual`;
 * - failed with the breaker still closed (an outage, a timeout) → queued
 *   again after a back-off (`CLINIC_PUSH_RETRY_AFTER`, doubling, at most
 *   1 h); after `CLINIC_PUSH_MAX_ATTEMPTS` a manual task, `manual`;
 * - refused for good by the clinic's system (invalid data) → a manual task, `manual`.
 */
import { randomUUID } from 'node:crypto';
import type { ClinicDeal, ClinicItinerary, ClinicPushResult } from '@clinicbridge/adapters';
import { sql, type Updateable } from 'kysely';
import { callForTenant } from '../providers/audit.ts';
import { ClinicPushDeferred, type ConfiguredClinicSoftware } from '../providers/clinic-software.ts';
import {
  afterFailure,
  passSize,
  type QueuedCallJobOptions,
  queuedOrder,
} from '../providers/queued-call.ts';
import type { ClinicPushesTable, ClinicPushKind } from './schema.ts';

/**
 * Options of {@link clinicPushJob}.
 *
 * @example
 * clinicPushJob({ db, clinicSoftware, manualTasks, retryAfterMs: 30_000, maxAttempts: 10 });
 */
export interface ClinicPushJobOptions extends QueuedCallJobOptions {
  readonly clinicSoftware: ConfiguredClinicSoftware;
}

interface ClaimedPush {
  id: string;
  tenant_id: string;
  kind: ClinicPushKind;
  subject_ref: string;
  payload: Record<string, unknown> | string;
  attempts: number;
  created_at: Date | string;
}

const operations: Record<ClinicPushKind, string> = {
  deal: 'clinic.deals.put',
  itinerary: 'clinic.itineraries.put',
};

function send(
  clinicSoftware: ConfiguredClinicSoftware,
  row: ClaimedPush,
): Promise<ClinicPushResult> {
  const payload = typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload;
  return row.kind === 'deal'
    ? clinicSoftware.proxy.sendDeal(payload as ClinicDeal)
    : clinicSoftware.proxy.sendItinerary(payload as ClinicItinerary);
}

/**
 * The push job: one batch per scheduler pass; resolves to the rows settled.
 *
 * @example
 * const jobs: BusJob[] = [clinicPushJob(options)];
 */
export function clinicPushJob(options: ClinicPushJobOptions): (now: Date) => Promise<number> {
  const { batchSize, leaseMs } = passSize(options);

  async function settle(id: string, now: Date, set: Updateable<ClinicPushesTable>): Promise<void> {
    await options.db
      .updateTable('clinic_pushes')
      .set({ ...set, lease_until: null, updated_at: now })
      .where('id', '=', id)
      .execute();
  }

  async function handOver(row: ClaimedPush, now: Date, reason: string, attempts: number) {
    const id = `mt_${randomUUID()}`;
    await options.manualTasks.record({
      id,
      kind: 'clinic_software',
      provider: 'doktor365',
      operation: operations[row.kind],
      subjectRef: row.subject_ref,
      summary: `Enter the ${row.kind} of ${row.subject_ref} in the clinic's Doktor365 by hand (${reason}).`,
      reason,
      details: { tenantRef: row.tenant_id, attempts },
      createdAt: now.toISOString(),
    });
    return id;
  }

  return async (now) => {
    const leaseUntil = new Date(now.getTime() + leaseMs);
    const { rows } = await sql<ClaimedPush>`
      update clinic_pushes set lease_until = ${leaseUntil}
      where id in (
        select p.id from clinic_pushes p
        where p.status = 'queued' and p.next_attempt_at <= ${now}
          and (p.lease_until is null or p.lease_until < ${now})
          and not exists (
            select 1 from clinic_pushes o
            where o.tenant_id = p.tenant_id and o.kind = p.kind
              and o.subject_ref = p.subject_ref and o.status = 'queued'
              and (o.created_at, o.id) < (p.created_at, p.id)
          )
        order by p.created_at, p.id
        limit ${batchSize}
        for update skip locked
      )
      returning id, tenant_id, kind, subject_ref, payload, attempts, created_at`.execute(
      options.db,
    );
    const ordered = rows.toSorted((a, b) => queuedOrder(a.created_at, a.id, b.created_at, b.id));
    for (const row of ordered) {
      const attempts = row.attempts + 1;
      try {
        const result = await callForTenant(row.tenant_id, () => send(options.clinicSoftware, row));
        if (result.status === 'delivered')
          await settle(row.id, now, {
            status: 'delivered',
            attempts,
            remote_id: result.remoteId,
            last_error: null,
          });
        else
          await settle(row.id, now, {
            status: 'manual',
            attempts,
            manual_task_id: result.manualTaskId,
            last_error: 'circuit_open',
          });
      } catch (error) {
        options.onError?.(error);
        const next = afterFailure(error, attempts, options, now, ClinicPushDeferred);
        if ('handOver' in next) {
          const taskId = await handOver(row, now, next.handOver, attempts);
          await settle(row.id, now, {
            status: 'manual',
            attempts,
            manual_task_id: taskId,
            last_error: next.reason,
          });
        } else {
          await settle(row.id, now, {
            status: 'queued',
            attempts,
            next_attempt_at: next.retryAt,
            last_error: next.reason,
          });
        }
      }
    }
    return ordered.length;
  };
}
