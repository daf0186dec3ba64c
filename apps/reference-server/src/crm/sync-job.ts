/**
 * The CRM sync job: sends the queued records of `crm_sync_records` through
 * the `CrmSync` port, at least once (contacts are upserted by email, leads
 * and deals by the platform reference, so a repeat lands on one record).
 * A process leases up to a batch of due rows (`FOR UPDATE SKIP LOCKED`, so
 * several processes share the work) and settles each:
 *
 * - nothing may go (no marketing consent, a tenant not mirrored) → `skipped`;
 * - written → `synced`, with an audit row `crm.sync.applied`;
 * - the CRM's copy changed after the platform's (last writer wins) → `kept`,
 *   the CRM left alone, with an audit row `crm.sync.kept`;
 * - HubSpot's breaker is open → the adapter's manual task on /ops, `manual`;
 * - failed with the breaker still closed (an outage, a timeout) → queued
 *   again after a back-off (`CRM_SYNC_RETRY_AFTER`, doubling, at most 1 h);
 *   after `CRM_SYNC_MAX_ATTEMPTS` a manual task, `manual`;
 * - refused for good by HubSpot (invalid data, a revoked token) → a manual task, `manual`.
 *
 * Audit rows carry references, timestamps and the winner only, never content.
 */
import { randomUUID } from 'node:crypto';
import type { CrmWriteResult } from '@clinicbridge/adapters';
import { type Kysely, sql, type Updateable } from 'kysely';
import type { DB } from '../db/schema.ts';
import { recordAudit } from '../kernel/change.ts';
import { callForTenant } from '../providers/audit.ts';
import { type ConfiguredCrm, CrmSyncDeferred } from '../providers/crm.ts';
import {
  afterFailure,
  passSize,
  type QueuedCallJobOptions,
  queuedOrder,
} from '../providers/queued-call.ts';
import type { CrmSyncRecordsTable } from '../scheduler/schema.ts';
import type { CrmSyncOutcome } from './metrics.ts';
import { type CrmWrite, planCrmWrites } from './plan.ts';

/**
 * Options of {@link crmSyncJob}.
 *
 * @example
 * crmSyncJob({ db, crm, manualTasks, retryAfterMs: 30_000, maxAttempts: 10 });
 */
export interface CrmSyncJobOptions extends QueuedCallJobOptions {
  readonly crm: ConfiguredCrm;
  /** Called once per record a pass settles (the metrics' counter). */
  readonly onSettled?: (outcome: CrmSyncOutcome) => void;
}

interface ClaimedRecord {
  event_id: string;
  tenant_id: string;
  entity_type: string;
  entity_id: string;
  fields: Record<string, unknown> | string;
  attempts: number;
  created_at: Date | string;
}

function send(crm: ConfiguredCrm, write: CrmWrite, correlationId: string): Promise<CrmWriteResult> {
  const meta = { correlationId };
  if (write.kind === 'contact') return crm.sync.upsertContact(write.input, meta);
  if (write.kind === 'lead') return crm.sync.upsertLead(write.input, meta);
  return crm.sync.upsertDeal(write.input, meta);
}

/**
 * The CRM sync job: one batch per scheduler pass; resolves to the rows settled.
 *
 * @example
 * const jobs: BusJob[] = [crmSyncJob(options)];
 */
export function crmSyncJob(options: CrmSyncJobOptions): (now: Date) => Promise<number> {
  const { batchSize, leaseMs } = passSize(options);
  const { db } = options;

  async function settle(
    trx: Kysely<DB>,
    id: string,
    now: Date,
    set: Updateable<CrmSyncRecordsTable>,
  ): Promise<void> {
    await trx
      .updateTable('crm_sync_records')
      .set({ ...set, lease_until: null, updated_at: now })
      .where('event_id', '=', id)
      .execute();
    const status = set.status as CrmSyncRecordsTable['status'];
    options.onSettled?.(status === 'queued' ? 'retried' : status);
  }

  async function handOver(row: ClaimedRecord, now: Date, reason: string, attempts: number) {
    const id = `mt_${randomUUID()}`;
    await options.manualTasks.record({
      id,
      kind: 'crm',
      provider: 'hubspot',
      operation: 'crm.sync',
      subjectRef: row.entity_id,
      summary: `Sync ${row.entity_type} ${row.entity_id} to HubSpot by hand (${reason}).`,
      reason,
      details: { tenantRef: row.tenant_id, record: row.event_id, attempts },
      createdAt: now.toISOString(),
    });
    return id;
  }

  /** Writes the record's results: links, audit rows and the row's status, in one transaction. */
  async function settleWritten(
    row: ClaimedRecord,
    now: Date,
    attempts: number,
    done: Array<{ write: CrmWrite; result: CrmWriteResult }>,
  ) {
    await db.transaction().execute(async (trx) => {
      let status: 'synced' | 'kept' | 'manual' = 'synced';
      let manualTaskId: string | null = null;
      let recordId: string | null = null;
      for (const { write, result } of done) {
        if (result.status === 'manual') {
          status = 'manual';
          manualTaskId = result.manualTaskId;
          continue;
        }
        if (result.status === 'kept' && status === 'synced') status = 'kept';
        recordId ??= result.recordId;
        if (write.kind === 'contact') {
          await trx
            .insertInto('crm_links')
            .values({
              tenant_id: row.tenant_id,
              object_type: 'contacts',
              crm_record_id: result.recordId,
              subject_type: write.subjectType,
              subject_ref: write.subjectRef,
              updated_at: now,
            })
            .onConflict((oc) =>
              oc
                .columns(['tenant_id', 'object_type', 'crm_record_id', 'subject_ref'])
                .doUpdateSet({ updated_at: now }),
            )
            .execute();
        }
        await recordAudit(trx, {
          tenantId: row.tenant_id,
          actor: { type: 'system', id: 'crm-sync' },
          action: result.status === 'kept' ? 'crm.sync.kept' : 'crm.sync.applied',
          entityType: write.subjectType,
          entityId: write.subjectRef,
          metadata: {
            provider: options.crm.sync.provider,
            object: write.kind,
            crmRecordId: result.recordId,
            winner: result.winner,
            platformUpdatedAt: write.input.updatedAt,
            crmUpdatedAt: result.crmUpdatedAt ?? null,
            record: row.event_id,
          },
          occurredAt: now,
        });
      }
      await settle(trx, row.event_id, now, {
        status,
        attempts,
        crm_record_id: recordId,
        manual_task_id: manualTaskId,
        detail: status === 'manual' ? 'circuit_open' : status === 'kept' ? 'crm copy newer' : null,
      });
    });
  }

  async function syncOne(row: ClaimedRecord, now: Date): Promise<void> {
    const attempts = row.attempts + 1;
    if (!options.crm.tenants.has(row.tenant_id)) {
      await settle(db, row.event_id, now, {
        status: 'skipped',
        attempts,
        detail: 'the tenant is not mirrored into the CRM',
      });
      return;
    }
    const fields = typeof row.fields === 'string' ? JSON.parse(row.fields) : row.fields;
    try {
      const plan = await planCrmWrites(db, { ...row, fields }, new Date(row.created_at));
      if (plan.skipped !== undefined) {
        await settle(db, row.event_id, now, { status: 'skipped', attempts, detail: plan.skipped });
        return;
      }
      const done: Array<{ write: CrmWrite; result: CrmWriteResult }> = [];
      for (const write of plan.writes) {
        const result = await callForTenant(row.tenant_id, () =>
          send(options.crm, write, row.event_id),
        );
        done.push({ write, result });
        // The breaker is open: the rest would only be more manual tasks for the same record.
        if (result.status === 'manual') break;
      }
      await settleWritten(row, now, attempts, done);
    } catch (error) {
      options.onError?.(error);
      const next = afterFailure(error, attempts, options, now, CrmSyncDeferred);
      if ('handOver' in next) {
        const taskId = await handOver(row, now, next.handOver, attempts);
        await settle(db, row.event_id, now, {
          status: 'manual',
          attempts,
          manual_task_id: taskId,
          detail: next.handOver,
        });
      } else {
        await settle(db, row.event_id, now, {
          status: 'queued',
          attempts,
          next_attempt_at: next.retryAt,
          detail: next.reason,
        });
      }
    }
  }

  return async (now) => {
    const leaseUntil = new Date(now.getTime() + leaseMs);
    const { rows } = await sql<ClaimedRecord>`
      update crm_sync_records set lease_until = ${leaseUntil}
      where event_id in (
        select r.event_id from crm_sync_records r
        where r.status = 'queued' and coalesce(r.next_attempt_at, r.created_at) <= ${now}
          and (r.lease_until is null or r.lease_until < ${now})
        order by r.created_at, r.event_id
        limit ${batchSize}
        for update skip locked
      )
      returning event_id, tenant_id, entity_type, entity_id, fields, attempts, created_at`.execute(
      db,
    );
    const ordered = rows.toSorted((a, b) =>
      queuedOrder(a.created_at, a.event_id, b.created_at, b.event_id),
    );
    for (const row of ordered) await syncOne(row, now);
    return ordered.length;
  };
}
