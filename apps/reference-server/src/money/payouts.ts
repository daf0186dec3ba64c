/**
 * Paying released escrow tranches out to the clinic. The ledger already
 * moved a released tranche to the clinic's payable account; when the
 * tenant has a connected account at the escrow provider (Stripe Connect,
 * set with `clinicbridge-server escrow-payee`), the release also queues a
 * payout in its own transaction, and a job sends it through the
 * `EscrowAccount` port as a transfer to that account. The payout's key is
 * the tranche and the provider call's idempotency key is derived from it,
 * so a tranche is paid once however often the release is asked or the job
 * retried after a crash. Transient provider errors are retried with a
 * doubling back-off; a refusal, or too many attempts, fails the payout and
 * raises an operator alert to pay it by hand.
 */
import { randomUUID } from 'node:crypto';
import { type EscrowAccount, isProviderError } from '@clinicbridge/adapters';
import type { Kysely } from 'kysely';
import { raiseAlert } from '../alerts/raise.ts';
import type { DB, Row } from '../db/schema.ts';
import type { ChangeContext } from '../kernel/change.ts';
import { recordChange } from '../kernel/record-change.ts';
import type { Logger } from '../observability/logger.ts';
import { doublingBackoffMs } from '../scheduler/backoff.ts';
import type { BusJob } from '../scheduler/dispatcher.ts';
import { leaseDue } from '../scheduler/lease-due.ts';

/** Attempts before a payout the provider keeps failing is given up to an operator. */
export const MAX_PAYOUT_ATTEMPTS = 8;
const MAX_BACKOFF_MS = 3_600_000;
const LEASE_MS = 60_000;
const BATCH = 20;

/**
 * Sets (or, with `null`, removes) the connected account a tenant's
 * released tranches are paid to.
 *
 * @example
 * await setEscrowPayee(db, 'ten_…', 'acct_1Clinic', new Date());
 */
export async function setEscrowPayee(
  db: Kysely<DB>,
  tenantId: string,
  accountId: string | null,
  now: Date,
): Promise<void> {
  if (accountId === null) {
    await db.deleteFrom('escrow_payees').where('tenant_id', '=', tenantId).execute();
    return;
  }
  await db
    .insertInto('escrow_payees')
    .values({ tenant_id: tenantId, provider: 'stripe', account_id: accountId, updated_at: now })
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'provider']).doUpdateSet({ account_id: accountId, updated_at: now }),
    )
    .execute();
}

/**
 * Queues the payout of a tranche just released, in the release's
 * transaction, when the tenant has a payee; a second call for the same
 * tranche does nothing.
 *
 * @example
 * await queuePayout(trx, change, { escrowId: 'esc_…', milestone: 'surgery', amount: 300000, currency: 'EUR' });
 */
export async function queuePayout(
  db: Kysely<DB>,
  change: ChangeContext,
  tranche: { escrowId: string; milestone: string; amount: number; currency: string },
): Promise<void> {
  const payee = await db
    .selectFrom('escrow_payees')
    .select(['provider', 'account_id'])
    .where('tenant_id', '=', change.tenantId)
    .executeTakeFirst();
  if (!payee) return;
  await db
    .insertInto('escrow_payouts')
    .values({
      id: `pyo_${randomUUID().replaceAll('-', '')}`,
      tenant_id: change.tenantId,
      escrow_id: tranche.escrowId,
      milestone: tranche.milestone,
      provider: payee.provider,
      payee_account_id: payee.account_id,
      amount: tranche.amount,
      currency: tranche.currency,
      status: 'pending',
      provider_transfer_id: null,
      attempts: 0,
      last_error: null,
      next_check_at: change.now,
      created_at: change.now,
      updated_at: change.now,
    })
    .onConflict((oc) => oc.columns(['escrow_id', 'milestone']).doNothing())
    .execute();
}

const systemChange = (tenantId: string, now: Date): ChangeContext => ({
  tenantId,
  actor: { type: 'system', id: 'escrow-payouts' },
  requestId: null,
  now,
});

async function markPaid(db: Kysely<DB>, row: Row<'escrow_payouts'>, transferId: string, now: Date) {
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('escrow_payouts')
      .set({
        status: 'paid',
        provider_transfer_id: transferId,
        attempts: row.attempts + 1,
        last_error: null,
        updated_at: now,
      })
      .where('id', '=', row.id)
      .where('status', '=', 'pending')
      .execute();
    await recordChange(trx, systemChange(row.tenant_id, now), {
      action: 'escrow.paid_out',
      entityType: 'escrow',
      entityId: row.escrow_id,
      audit: {
        milestone: row.milestone,
        amount: row.amount,
        currency: row.currency,
        provider: row.provider,
        providerTransferId: transferId,
      },
    });
  });
}

async function markFailed(db: Kysely<DB>, row: Row<'escrow_payouts'>, code: string, now: Date) {
  const attempts = row.attempts + 1;
  const permanent = code === 'rejected' || code === 'invalid_request' || code === 'not_found';
  if (!permanent && attempts < MAX_PAYOUT_ATTEMPTS) {
    await db
      .updateTable('escrow_payouts')
      .set({
        attempts,
        last_error: code,
        next_check_at: new Date(now.getTime() + doublingBackoffMs(attempts, MAX_BACKOFF_MS)),
        updated_at: now,
      })
      .where('id', '=', row.id)
      .execute();
    return;
  }
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('escrow_payouts')
      .set({ status: 'failed', attempts, last_error: code, updated_at: now })
      .where('id', '=', row.id)
      .where('status', '=', 'pending')
      .execute();
    await raiseAlert(trx, {
      tenantId: row.tenant_id,
      kind: 'escrow_payout_failed',
      message: `The ${row.milestone} tranche of escrow ${row.escrow_id} could not be paid to ${row.payee_account_id} at ${row.provider} (${code}, ${attempts} attempts). Pay it by hand, then mark the alert resolved.`,
      details: {
        escrowId: row.escrow_id,
        milestone: row.milestone,
        payeeAccountId: row.payee_account_id,
        amount: row.amount,
        currency: row.currency,
        code,
      },
      now,
    });
  });
}

/**
 * Sends the due payouts of the escrow provider through it (another
 * provider's payouts are not leased, so they stay due for their own job);
 * resolves to how many were paid.
 *
 * @example
 * await payOutReleasedTranches(db, stripeEscrow, new Date());
 */
export async function payOutReleasedTranches(
  db: Kysely<DB>,
  escrow: EscrowAccount,
  now: Date,
  logger?: Logger,
): Promise<number> {
  // Only the pending payouts of this provider: another provider's rows are left due for its job.
  const due = await leaseDue(db, 'escrow_payouts', now, {
    batch: BATCH,
    leaseMs: LEASE_MS,
    only: { status: ['pending'], provider: [escrow.provider] },
  });
  let paid = 0;
  for (const row of due) {
    try {
      const release = await escrow.releaseMilestone({
        escrowRef: row.escrow_id,
        milestoneRef: row.milestone,
        amountMinor: row.amount,
        currency: row.currency,
        payeeAccountId: row.payee_account_id,
      });
      await markPaid(db, row, release.transferId, now);
      paid++;
    } catch (error) {
      if (!isProviderError(error)) {
        logger?.error(
          { err: error, payoutId: row.id },
          'escrow payout failed; retried after its lease',
        );
        continue;
      }
      await markFailed(db, row, error.code, now);
    }
  }
  return paid;
}

/**
 * The payout job for the scheduler; a no-op while no escrow provider is configured.
 *
 * @example
 * const jobs = [escrowPayoutJob(db, () => providers.payments.escrow, logger)];
 */
export function escrowPayoutJob(
  db: Kysely<DB>,
  escrow: () => EscrowAccount | undefined,
  logger: Logger,
): BusJob {
  return async (now) => {
    const provider = escrow();
    return provider ? payOutReleasedTranches(db, provider, now, logger) : 0;
  };
}
