/**
 * The claims job: every pass takes the claims due (a request waiting for
 * the payer, or a claim with the payer to poll), leasing them so several
 * processes never work one claim at once, and talks to the payer outside
 * any transaction. What the payer answered is then applied in one
 * transaction per claim, through the state machine, on the row as it is
 * then (a claim that moved meanwhile is left alone). Failures back off
 * (doubling, up to CLAIMS_MAX_BACKOFF); definite refusals end the request
 * with `lastError`; a payer silent for five attempts, or no payer
 * configured at all, leaves a manual task for the operators.
 */
import {
  type InsuranceGateway,
  isProviderError,
  type ManualTaskSink,
  type ProviderError,
} from '@clinicbridge/adapters';
import type { ClaimTransition } from '@clinicbridge/sdk/contract';
import type { Kysely } from 'kysely';
import type { DB, Row } from '../db/schema.ts';
import type { ChangeContext } from '../kernel/change.ts';
import { updateOwned } from '../kernel/owned.ts';
import type { Logger } from '../observability/logger.ts';
import { callForTenant } from '../providers/audit.ts';
import { doublingBackoffMs } from '../scheduler/backoff.ts';
import { leaseDue } from '../scheduler/lease-due.ts';
import type { ClaimsConfig } from './config.ts';
import { requireClaim } from './service.ts';
import { claimSubmission } from './submission.ts';
import { applyTransition, type ClaimPatch } from './transitions.ts';

const BATCH = 20;
const LEASE_MS = 60_000;
const MANUAL_AFTER_ATTEMPTS = 5;

/**
 * What the job needs.
 *
 * @example
 * const deps: ClaimsWorkerDeps = { db, insurance: providers.insurance, manualTasks, config, logger };
 */
export interface ClaimsWorkerDeps {
  db: Kysely<DB>;
  insurance: InsuranceGateway | undefined;
  manualTasks: ManualTaskSink;
  config: ClaimsConfig;
  logger: Logger;
}

type Step = { transition: ClaimTransition; patch?: ClaimPatch };
/** What the payer's answer does to the claim: transitions, and columns to set. */
interface Outcome {
  steps: Step[];
  patch: ClaimPatch;
}

const later = (now: Date, ms: number) => new Date(now.getTime() + ms);
const reasons = (list: readonly { code: string; system?: string | undefined }[]) =>
  JSON.stringify(list.map((r) => ({ code: r.code, system: r.system ?? null })));

/** Asks the payer; returns what its answer does to the claim. */
async function askPayer(
  deps: ClaimsWorkerDeps,
  insurance: InsuranceGateway,
  row: Row<'claims'>,
  now: Date,
): Promise<Outcome> {
  const poll = later(now, deps.config.CLAIMS_POLL_INTERVAL);
  const done = { pending_action: null, attempts: 0, last_error: null };
  const action = row.pending_action;
  const call = <T>(run: () => Promise<T>) => callForTenant(row.tenant_id, run);

  if (action === 'preauthorize' || action === 'submit') {
    let eligibility = row.eligibility;
    if (eligibility === 'unknown') {
      const answer = await call(() =>
        insurance.checkEligibility({
          requestRef: row.id,
          member: { payerRef: row.payer_ref, memberId: row.member_id },
          patientRef: row.patient_id,
          serviceDate: row.created_at.toISOString().slice(0, 10),
        }),
      );
      if (answer.status === 'pending') return { steps: [], patch: { next_check_at: poll } };
      if (answer.status === 'ineligible') {
        return {
          steps: [{ transition: 'claim.self_pay' }],
          patch: {
            ...done,
            eligibility: 'ineligible',
            reason_codes: reasons(answer.reasons),
            next_check_at: null,
          },
        };
      }
      eligibility = 'eligible';
    }
    const submission = await claimSubmission(deps.db, row);
    if (action === 'preauthorize') {
      const answer = await call(() => insurance.requestPreAuthorization(submission));
      if (answer.status === 'pending')
        return { steps: [], patch: { eligibility, next_check_at: poll } };
      if (answer.status === 'denied') {
        return {
          steps: [{ transition: 'claim.self_pay' }],
          patch: {
            ...done,
            eligibility,
            reason_codes: reasons(answer.reasons),
            next_check_at: null,
          },
        };
      }
      return {
        steps: [{ transition: 'claim.preauthorized' }],
        patch: {
          ...done,
          eligibility,
          preauthorization_ref: answer.authorizationRef ?? null,
          approved_amount: answer.approved?.amountMinor ?? null,
          next_check_at: null,
        },
      };
    }
    const submitted = await call(() => insurance.submitClaim(submission));
    return {
      steps: [{ transition: 'claim.submitted' }],
      patch: {
        ...done,
        eligibility,
        provider_claim_id: submitted.providerClaimId,
        provider_version: submitted.version,
        next_check_at: poll,
      },
    };
  }

  const providerClaimId = row.provider_claim_id ?? '';
  if (action === 'resubmit') {
    const submission = await claimSubmission(deps.db, row);
    try {
      const resubmitted = await call(() =>
        insurance.resubmitClaim({
          providerClaimId,
          version: row.provider_version ?? '1',
          claim: submission,
        }),
      );
      return {
        steps: [{ transition: 'claim.resubmitted' }],
        patch: {
          ...done,
          provider_version: resubmitted.version,
          resubmissions: row.resubmissions + 1,
          reason_codes: '[]',
          next_check_at: poll,
        },
      };
    } catch (error) {
      if (!isProviderError(error) || error.code !== 'conflict') throw error;
      // The payer's copy moved on (someone else updated it): learn its version, try again.
      const status = await call(() => insurance.getClaimStatus({ providerClaimId }));
      return { steps: [], patch: { provider_version: status.version, next_check_at: now } };
    }
  }

  // No request pending: a claim with the payer, polled for its adjudication.
  const status = await call(() => insurance.getClaimStatus({ providerClaimId }));
  const settled = status.status === 'settled';
  if (status.status === 'pending')
    return { steps: [], patch: { next_check_at: poll, attempts: 0 } };
  if (status.status === 'denied') {
    return {
      steps: row.status === 'submitted' ? [{ transition: 'claim.denied' }] : [],
      patch: {
        reason_codes: reasons(status.reasons),
        next_check_at: null,
        attempts: 0,
        last_error: null,
      },
    };
  }
  const steps: Step[] = row.status === 'submitted' ? [{ transition: 'claim.approved' }] : [];
  const approved = status.approved?.currency === row.currency ? status.approved.amountMinor : null;
  if (!settled) {
    return {
      steps,
      patch: { approved_amount: approved, next_check_at: poll, attempts: 0, last_error: null },
    };
  }
  let paid = status.paid?.currency === row.currency ? status.paid.amountMinor : null;
  const remittanceRef = status.remittanceRef ?? null;
  if (remittanceRef) {
    const advice = await call(() => insurance.getRemittanceAdvice({ remittanceRef }));
    const line = advice.lines.find((l) => l.providerClaimId === providerClaimId);
    if (line?.paid.currency === row.currency) paid = line.paid.amountMinor;
  }
  return {
    steps: [...steps, { transition: 'claim.settled' }],
    patch: {
      approved_amount: approved ?? row.approved_amount,
      paid_amount: paid,
      remittance_ref: remittanceRef,
      next_check_at: null,
      attempts: 0,
      last_error: null,
    },
  };
}

/** Applies an outcome to the claim as it is now, if it has not moved since it was read. */
async function apply(deps: ClaimsWorkerDeps, seen: Row<'claims'>, outcome: Outcome, now: Date) {
  const change: ChangeContext = {
    tenantId: seen.tenant_id,
    actor: { type: 'system', id: 'claims' },
    requestId: null,
    now,
  };
  await deps.db.transaction().execute(async (trx) => {
    let row = await requireClaim(trx, seen.tenant_id, seen.id, { lock: true });
    if (row.status !== seen.status || row.pending_action !== seen.pending_action) return;
    const [first, ...rest] = outcome.steps;
    if (!first) {
      await updateOwned(trx, 'claims', row.tenant_id, row.id, {
        ...outcome.patch,
        updated_at: now,
      });
      return;
    }
    // Columns are set with the first step, so every event carries what the payer said.
    row = await applyTransition(trx, change, row, first.transition, outcome.patch);
    for (const step of rest) row = await applyTransition(trx, change, row, step.transition);
  });
}

async function recordFailure(
  deps: ClaimsWorkerDeps,
  row: Row<'claims'>,
  error: ProviderError,
  now: Date,
) {
  const attempts = row.attempts + 1;
  const definite = ['invalid_request', 'rejected', 'not_found'].includes(error.code);
  const patch: ClaimPatch =
    definite && row.pending_action !== null
      ? { pending_action: null, last_error: error.code, attempts: 0, next_check_at: null }
      : {
          last_error: error.code,
          attempts,
          next_check_at: later(now, doublingBackoffMs(attempts, deps.config.CLAIMS_MAX_BACKOFF)),
        };
  await deps.db.transaction().execute(async (trx) => {
    const current = await requireClaim(trx, row.tenant_id, row.id, { lock: true });
    if (current.status !== row.status || current.pending_action !== row.pending_action) return;
    await updateOwned(trx, 'claims', row.tenant_id, row.id, { ...patch, updated_at: now });
  });
  if (attempts === MANUAL_AFTER_ATTEMPTS && !definite) {
    await leaveManualTask(deps, row, error.code, now);
  }
}

async function leaveManualTask(
  deps: ClaimsWorkerDeps,
  row: Row<'claims'>,
  reason: string,
  now: Date,
) {
  await callForTenant(row.tenant_id, () =>
    deps.manualTasks.record({
      id: `mt_${crypto.randomUUID()}`,
      kind: 'insurance',
      provider: deps.insurance?.provider ?? 'insurance',
      operation: row.pending_action ? `claims.${row.pending_action}` : 'claims.status',
      subjectRef: row.id,
      summary: `Claim ${row.id} (${row.status}) is waiting on the payer ${row.payer_ref}; follow it up with them.`,
      reason,
      details: { status: row.status, attempts: row.attempts + 1 },
      createdAt: now.toISOString(),
    }),
  );
}

/**
 * The claims job (see the module header); resolves to how many claims it worked on.
 *
 * @example
 * const jobs: BusJob[] = [claimsJob({ db, insurance, manualTasks, config, logger })];
 */
export function claimsJob(deps: ClaimsWorkerDeps) {
  return async (now: Date): Promise<number> => {
    const due = await leaseDue(deps.db, 'claims', now, { batch: BATCH, leaseMs: LEASE_MS });
    for (const row of due) {
      const insurance = deps.insurance;
      try {
        if (!insurance) {
          if (row.last_error !== 'insurance_not_configured') {
            await leaveManualTask(deps, row, 'insurance_not_configured', now);
          }
          await updateOwned(deps.db, 'claims', row.tenant_id, row.id, {
            last_error: 'insurance_not_configured',
            next_check_at: later(now, deps.config.CLAIMS_MAX_BACKOFF),
          });
          continue;
        }
        if (
          row.pending_action === null &&
          row.status !== 'submitted' &&
          row.status !== 'approved'
        ) {
          await updateOwned(deps.db, 'claims', row.tenant_id, row.id, { next_check_at: null });
          continue;
        }
        await apply(deps, row, await askPayer(deps, insurance, row, now), now);
      } catch (error) {
        if (isProviderError(error)) await recordFailure(deps, row, error, now);
        else deps.logger.error({ err: error, claimId: row.id }, 'claims job failed on a claim');
      }
    }
    return due.length;
  };
}
