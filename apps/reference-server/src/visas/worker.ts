/**
 * The visas job: every pass takes the applications due (one to submit, one
 * with the partner to poll, a cancellation to tell the partner), leasing
 * them so several processes never work one application at once, and talks
 * to the partner outside any transaction. What the partner answered is
 * then applied in one transaction per application, on the row as it is
 * then (one that moved meanwhile is left alone, except that a submission
 * racing a cancellation still gets its cancellation sent).
 *
 * The patient is never stuck: with no visa provider configured, when the
 * adapter's breaker is open or its retries are spent (the adapter records
 * the manual task), or when the partner refuses the submission outright,
 * the application becomes `manual` with a task on `/ops`. A partner that
 * keeps failing while it holds the application backs off (doubling, up to
 * VISAS_MAX_BACKOFF) and leaves one manual task after five attempts. An
 * application still undecided VISAS_DECISION_SLA after its creation raises
 * one operator alert (./sla.ts).
 */
import {
  FINAL_VISA_STATES,
  isProviderError,
  type ManualTaskSink,
  type ProviderError,
  type VisaService,
  type VisaState,
} from '@clinicbridge/adapters';
import type { Kysely } from 'kysely';
import type { DB, Row } from '../db/schema.ts';
import type { ChangeContext } from '../kernel/change.ts';
import { updateOwned } from '../kernel/owned.ts';
import type { Logger } from '../observability/logger.ts';
import { callForTenant } from '../providers/audit.ts';
import { doublingBackoffMs } from '../scheduler/backoff.ts';
import { leaseDue } from '../scheduler/lease-due.ts';
import type { VisasConfig } from './config.ts';
import { requireVisaApplication, visaDocumentsWithData } from './service.ts';
import { raiseSlaBreaches } from './sla.ts';
import { moveVisaApplication, type VisaPatch } from './transitions.ts';

const BATCH = 20;
const LEASE_MS = 60_000;
const MANUAL_AFTER_ATTEMPTS = 5;

/**
 * What the job needs.
 *
 * @example
 * const deps: VisasWorkerDeps = { db, visas: providers.visas, manualTasks, config, logger };
 */
export interface VisasWorkerDeps {
  db: Kysely<DB>;
  visas: VisaService | undefined;
  manualTasks: ManualTaskSink;
  config: VisasConfig;
  logger: Logger;
}

type Row_ = Row<'visa_applications'>;
/** What the partner's answer does: a new status (or none) and columns to set. */
interface Outcome {
  status?: Row_['status'];
  patch: VisaPatch;
}

const later = (now: Date, ms: number) => new Date(now.getTime() + ms);

async function leaveManualTask(
  deps: VisasWorkerDeps,
  row: Row_,
  operation: string,
  reason: string,
  now: Date,
): Promise<string> {
  const id = `mt_${crypto.randomUUID()}`;
  await callForTenant(row.tenant_id, () =>
    deps.manualTasks.record({
      id,
      kind: 'visa',
      provider: deps.visas?.provider ?? 'none',
      operation,
      subjectRef: row.id,
      summary:
        operation === 'visa.submit'
          ? `Submit ${row.visa_type} visa application ${row.id} (${row.nationality} → ${row.destination}, arriving ${row.arrival_date}) by hand; its documents are on the application.`
          : `Follow up visa application ${row.id} (${row.status}) with the visa partner by hand.`,
      reason,
      details: { status: row.status, caseRef: row.case_ref },
      createdAt: now.toISOString(),
    }),
  );
  return id;
}

const toStatus = (state: VisaState): Row_['status'] => state;

/** Asks the partner; returns what its answer does to the application. */
async function askPartner(
  deps: VisasWorkerDeps,
  visas: VisaService,
  row: Row_,
  now: Date,
): Promise<Outcome> {
  const poll = later(now, deps.config.VISAS_POLL_INTERVAL);
  const call = <T>(run: () => Promise<T>) => callForTenant(row.tenant_id, run);
  const settled = { attempts: 0, last_error: null };

  if (row.pending_action === 'submit') {
    const documents = await visaDocumentsWithData(deps.db, row.tenant_id, row.id);
    const result = await call(() =>
      visas.submit({
        applicationRef: row.id,
        patientRef: row.patient_id,
        caseRef: row.case_ref,
        destination: row.destination,
        nationality: row.nationality,
        visaType: row.visa_type,
        arrivalDate: row.arrival_date,
        ...(row.departure_date ? { departureDate: row.departure_date } : {}),
        documents: documents.map((d) => ({
          kind: d.kind,
          contentType: d.content_type,
          data: d.data,
        })),
      }),
    );
    if (result.status === 'manual') {
      return {
        status: 'manual',
        patch: { ...settled, pending_action: null, next_check_at: null, provider: visas.provider },
      };
    }
    return {
      status: toStatus(result.state),
      patch: {
        ...settled,
        pending_action: null,
        provider: visas.provider,
        provider_application_id: result.providerApplicationId,
        medical_reference: result.medicalReference,
        next_check_at: FINAL_VISA_STATES.includes(result.state) ? null : poll,
      },
    };
  }

  const providerApplicationId = row.provider_application_id ?? '';
  if (row.pending_action === 'cancel') {
    try {
      await call(() => visas.cancel({ providerApplicationId }));
      return { patch: { ...settled, pending_action: null, next_check_at: null } };
    } catch (error) {
      if (!isProviderError(error) || error.code !== 'conflict') throw error;
      // The partner had decided already; the clinic's cancellation stands on the platform.
      return {
        patch: { pending_action: null, next_check_at: null, last_error: 'already_decided' },
      };
    }
  }

  const status = await call(() => visas.status({ providerApplicationId }));
  const patch: VisaPatch = {
    ...settled,
    reason_codes: JSON.stringify(status.reasonCodes),
    visa_number: status.visaNumber,
    valid_until: status.validUntil,
    next_check_at: FINAL_VISA_STATES.includes(status.state) ? null : poll,
  };
  const next = toStatus(status.state);
  return next === row.status ? { patch } : { status: next, patch };
}

const systemChange = (row: Row_, now: Date): ChangeContext => ({
  tenantId: row.tenant_id,
  actor: { type: 'system', id: 'visas' },
  requestId: null,
  now,
});

/** Applies an outcome to the application as it is now, if it has not moved since it was read. */
async function apply(deps: VisasWorkerDeps, seen: Row_, outcome: Outcome, now: Date) {
  await deps.db.transaction().execute(async (trx) => {
    const row = await requireVisaApplication(trx, seen.tenant_id, seen.id, { lock: true });
    if (row.status !== seen.status || row.pending_action !== seen.pending_action) {
      // Cancelled while being submitted: the partner now holds it, so withdraw it there too.
      const id = outcome.patch.provider_application_id;
      if (row.status === 'cancelled' && seen.pending_action === 'submit' && id) {
        await updateOwned(trx, 'visa_applications', row.tenant_id, row.id, {
          provider: outcome.patch.provider ?? null,
          provider_application_id: id,
          pending_action: 'cancel',
          next_check_at: now,
          updated_at: now,
        });
      }
      return;
    }
    if (!outcome.status) {
      await updateOwned(trx, 'visa_applications', row.tenant_id, row.id, {
        ...outcome.patch,
        updated_at: now,
      });
      return;
    }
    await moveVisaApplication(trx, systemChange(row, now), row, outcome.status, outcome.patch);
  });
}

/** Hands the application to the operators: status `manual`, one task. */
async function toManual(deps: VisasWorkerDeps, seen: Row_, reason: string, now: Date) {
  const moved = await deps.db.transaction().execute(async (trx) => {
    const row = await requireVisaApplication(trx, seen.tenant_id, seen.id, { lock: true });
    if (row.status !== seen.status || row.pending_action !== seen.pending_action) return false;
    await moveVisaApplication(trx, systemChange(row, now), row, 'manual', {
      pending_action: null,
      next_check_at: null,
      last_error: reason,
      attempts: 0,
    });
    return true;
  });
  if (moved) await leaveManualTask(deps, seen, 'visa.submit', reason, now);
}

async function recordFailure(deps: VisasWorkerDeps, row: Row_, error: ProviderError, now: Date) {
  if (row.pending_action === 'submit' && !error.transient) {
    // The partner refused the submission itself (invalid, unauthorised): people fix it.
    await toManual(deps, row, error.code, now);
    return;
  }
  const attempts = row.attempts + 1;
  const definite = !error.transient;
  const patch: VisaPatch =
    definite && row.pending_action === 'cancel'
      ? { pending_action: null, last_error: error.code, attempts: 0, next_check_at: null }
      : {
          last_error: error.code,
          attempts,
          next_check_at: later(now, doublingBackoffMs(attempts, deps.config.VISAS_MAX_BACKOFF)),
        };
  await deps.db.transaction().execute(async (trx) => {
    const current = await requireVisaApplication(trx, row.tenant_id, row.id, { lock: true });
    if (current.status !== row.status || current.pending_action !== row.pending_action) return;
    await updateOwned(trx, 'visa_applications', row.tenant_id, row.id, {
      ...patch,
      updated_at: now,
    });
  });
  if (attempts === MANUAL_AFTER_ATTEMPTS && !definite) {
    await leaveManualTask(
      deps,
      row,
      row.pending_action === 'cancel' ? 'visa.cancel' : 'visa.status',
      error.code,
      now,
    );
  }
}

/**
 * The visas job (see the module header); resolves to how many applications it worked on.
 *
 * @example
 * const jobs: BusJob[] = [visasJob({ db, visas, manualTasks, config, logger })];
 */
export function visasJob(deps: VisasWorkerDeps) {
  return async (now: Date): Promise<number> => {
    const due = await leaseDue(deps.db, 'visa_applications', now, {
      batch: BATCH,
      leaseMs: LEASE_MS,
    });
    for (const row of due) {
      const visas = deps.visas;
      try {
        if (!visas) {
          if (row.pending_action === 'submit') {
            await toManual(deps, row, 'visa_provider_not_configured', now);
          } else {
            // With the partner (or being withdrawn there) but no partner configured now.
            await leaveManualTask(
              deps,
              row,
              row.pending_action === 'cancel' ? 'visa.cancel' : 'visa.status',
              'visa_provider_not_configured',
              now,
            );
            await updateOwned(deps.db, 'visa_applications', row.tenant_id, row.id, {
              pending_action: null,
              next_check_at: null,
              last_error: 'visa_provider_not_configured',
            });
          }
          continue;
        }
        await apply(deps, row, await askPartner(deps, visas, row, now), now);
      } catch (error) {
        if (isProviderError(error)) await recordFailure(deps, row, error, now);
        else
          deps.logger.error(
            { err: error, visaApplicationId: row.id },
            'visas job failed on an application',
          );
      }
    }
    return due.length + (await raiseSlaBreaches(deps.db, deps.config.VISAS_DECISION_SLA, now));
  };
}
