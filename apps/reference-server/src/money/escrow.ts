/**
 * Escrow per case on the ledger. Holding a captured payment posts it from
 * the tenant's gateway clearing account to the escrow's own account, then
 * reserves one pending transfer per milestone towards the clinic's payable
 * account. Releasing a milestone posts its whole tranche; voiding returns
 * the open tranches to the escrow account; a refund moves voided money back
 * to clearing and to the payer through the payments feature (which keeps
 * it within what is left of the payment). Every operation first locks the
 * escrow row, so requests on one escrow queue, and a repeated release,
 * dispute, void or refund (same reference) changes nothing the second time.
 */
import { type DisputeReason, type Escrow, newId } from '@clinicbridge/sdk/contract';
import type { Kysely } from 'kysely';
import type { DB, Row } from '../db/schema.ts';
import type { ChangeContext } from '../kernel/change.ts';
import { ApiError } from '../kernel/problem.ts';
import { recordChange } from '../kernel/record-change.ts';
import { issueRefund, requirePayment } from '../payments/service.ts';
import { createTransfer, finishTransfer, openAccount } from './ledger.ts';
import { queuePayout } from './payouts.ts';

type Milestone = Row<'escrow_milestones'>;
const open = (m: Milestone) => m.status === 'held' || m.status === 'disputed';
const total = (rows: { amount: number }[]) => rows.reduce((sum, r) => sum + r.amount, 0);

/**
 * The tenant's clearing (money at the gateway) and payable (owed to the clinic) accounts.
 *
 * @example
 * const [clearing, payable] = await tenantAccounts(trx, tenantId, 'EUR', now);
 */
export function tenantAccounts(db: Kysely<DB>, tenantId: string, currency: string, now: Date) {
  return Promise.all([
    openAccount(
      db,
      {
        tenantId,
        code: `gateway_clearing:${currency}`,
        currency,
        normalBalance: 'debit',
        flag: 'credits_must_not_exceed_debits',
      },
      now,
    ),
    openAccount(
      db,
      {
        tenantId,
        code: `clinic_payable:${currency}`,
        currency,
        normalBalance: 'credit',
        flag: 'debits_must_not_exceed_credits',
      },
      now,
    ),
  ]);
}

async function loadEscrow(db: Kysely<DB>, tenantId: string, id: string, lock: boolean) {
  let query = db
    .selectFrom('escrows')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id);
  if (lock) query = query.forUpdate();
  const escrow = await query.executeTakeFirst();
  if (!escrow) throw new ApiError('not_found', `No escrow ${id} in this tenant.`);
  const milestones = await db
    .selectFrom('escrow_milestones')
    .selectAll()
    .where('escrow_id', '=', id)
    .orderBy('position')
    .execute();
  const refunds = await db
    .selectFrom('escrow_refunds')
    .selectAll()
    .where('escrow_id', '=', id)
    .orderBy('created_at')
    .orderBy('reference')
    .execute();
  return { escrow, milestones, refunds };
}

type Loaded = Awaited<ReturnType<typeof loadEscrow>>;

function toEscrow({ escrow, milestones, refunds }: Loaded): Escrow {
  const money = (amount: number) => ({ amount, currency: escrow.currency });
  const by = (...statuses: Milestone['status'][]) =>
    total(milestones.filter((m) => statuses.includes(m.status)));
  return {
    id: escrow.id as `esc_${string}`,
    paymentId: escrow.payment_id as `pay_${string}`,
    invoiceId: escrow.invoice_id as `inv_${string}`,
    accountId: escrow.account_id as `lac_${string}`,
    status: milestones.some(open) ? 'held' : 'closed',
    held: money(escrow.held),
    released: money(by('released')),
    voided: money(by('voided', 'expired')),
    refunded: money(total(refunds)),
    milestones: milestones.map((m) => ({
      code: m.code,
      amount: money(m.amount),
      status: m.status,
      transferId: m.transfer_id as `ltr_${string}`,
      disputeReason: m.dispute_reason as DisputeReason | null,
      releasedAt: m.released_at?.toISOString() ?? null,
    })),
    refunds: refunds.map((r) => ({
      refundId: r.refund_id as `ref_${string}`,
      reference: r.reference,
      amount: money(r.amount),
    })),
    expiresAt: escrow.expires_at?.toISOString() ?? null,
    createdAt: escrow.created_at.toISOString(),
    updatedAt: escrow.updated_at.toISOString(),
  };
}

async function touch(db: Kysely<DB>, id: string, now: Date): Promise<void> {
  await db.updateTable('escrows').set({ updated_at: now }).where('id', '=', id).execute();
}

/**
 * What holding a payment in escrow takes.
 *
 * @example
 * const input: NewEscrow = { paymentId, milestones: [{ code: 'surgery', amount: { amount: 5000, currency: 'EUR' } }] };
 */
export interface NewEscrow {
  paymentId: string;
  milestones: { code: string; amount: { amount: number; currency: string } }[];
  expiresAt?: string | undefined;
}

/**
 * Holds a captured payment in escrow, one pending tranche per milestone.
 *
 * @example
 * await holdEscrow(trx, change, { paymentId, milestones: [{ code: 'surgery', amount: { amount: 5000, currency: 'EUR' } }] });
 */
export async function holdEscrow(
  db: Kysely<DB>,
  change: ChangeContext,
  input: NewEscrow,
): Promise<Escrow> {
  const { tenantId, now } = change;
  const payment = await requirePayment(db, tenantId, input.paymentId, { lock: true });
  const currency = payment.currency;
  if (input.milestones.some((m) => m.amount.currency !== currency)) {
    throw new ApiError(
      'currency_mismatch',
      `The payment is in ${currency}; hold in that currency.`,
    );
  }
  const taken = await db
    .selectFrom('escrows')
    .select('id')
    .where('payment_id', '=', payment.id)
    .executeTakeFirst();
  if (taken)
    throw new ApiError('conflict', `Payment ${payment.id} already funds escrow ${taken.id}.`);
  const held = total(input.milestones.map((m) => m.amount));
  const left = payment.amount - payment.amount_refunded;
  if (held > left) {
    throw new ApiError(
      'unprocessable',
      `The tranches total ${held}, more than the ${left} (minor units) captured and not refunded.`,
    );
  }
  const id = newId('esc');
  const [clearing, payable] = await tenantAccounts(db, tenantId, currency, now);
  const account = await openAccount(
    db,
    {
      tenantId,
      code: `escrow:${id}`,
      currency,
      normalBalance: 'credit',
      flag: 'debits_must_not_exceed_credits',
    },
    now,
  );
  const expiresAt = input.expiresAt ? new Date(input.expiresAt) : null;
  await db
    .insertInto('escrows')
    .values({
      id,
      tenant_id: tenantId,
      payment_id: payment.id,
      invoice_id: payment.invoice_id,
      account_id: account.id,
      currency,
      held,
      expires_at: expiresAt,
      created_at: now,
      updated_at: now,
    })
    .execute();
  await createTransfer(
    db,
    {
      tenantId,
      key: `escrow:${id}:fund`,
      debitAccountId: clearing.id,
      creditAccountId: account.id,
      amount: held,
      currency,
    },
    now,
  );
  for (const [position, m] of input.milestones.entries()) {
    const { transfer } = await createTransfer(
      db,
      {
        tenantId,
        key: `escrow:${id}:tranche:${m.code}`,
        debitAccountId: account.id,
        creditAccountId: payable.id,
        amount: m.amount.amount,
        currency,
        pending: true,
        timeoutAt: expiresAt,
      },
      now,
    );
    await db
      .insertInto('escrow_milestones')
      .values({
        escrow_id: id,
        tenant_id: tenantId,
        code: m.code,
        position,
        amount: m.amount.amount,
        status: 'held',
        transfer_id: transfer.id,
        dispute_reason: null,
        released_at: null,
      })
      .execute();
  }
  const escrow = toEscrow(await loadEscrow(db, tenantId, id, false));
  await recordChange(db, change, {
    action: 'escrow.held',
    entityType: 'escrow',
    entityId: id,
    audit: { paymentId: payment.id, amount: held, currency },
    event: {
      type: 'escrow.held',
      data: {
        escrowId: escrow.id,
        paymentId: escrow.paymentId,
        invoiceId: escrow.invoiceId,
        amount: escrow.held,
        milestones: escrow.milestones.map((m) => ({ code: m.code, amount: m.amount })),
      },
    },
  });
  return escrow;
}

/**
 * An escrow of the tenant, or 404.
 *
 * @example
 * await getEscrow(db, tenantId, 'esc_…');
 */
export async function getEscrow(db: Kysely<DB>, tenantId: string, id: string): Promise<Escrow> {
  return toEscrow(await loadEscrow(db, tenantId, id, false));
}

function milestoneOf(loaded: Loaded, code: string): Milestone {
  const milestone = loaded.milestones.find((m) => m.code === code);
  if (!milestone)
    throw new ApiError('not_found', `Escrow ${loaded.escrow.id} has no milestone ${code}.`);
  return milestone;
}

/**
 * Posts a milestone's whole tranche to the clinic, once: a repeat returns
 * the escrow unchanged. When the tenant has a connected account at the
 * escrow provider, the tranche's payout is queued too (./payouts.ts).
 *
 * @example
 * await releaseMilestone(trx, change, 'esc_…', 'surgery');
 */
export async function releaseMilestone(
  db: Kysely<DB>,
  change: ChangeContext,
  escrowId: string,
  code: string,
): Promise<Escrow> {
  const loaded = await loadEscrow(db, change.tenantId, escrowId, true);
  const milestone = milestoneOf(loaded, code);
  if (milestone.status === 'released') return toEscrow(loaded);
  if (milestone.status !== 'held') {
    throw new ApiError(
      'invalid_state_transition',
      `The ${code} tranche is ${milestone.status}; only a held tranche can be released.`,
    );
  }
  const { transfer } = await finishTransfer(
    db,
    change.tenantId,
    milestone.transfer_id,
    'posted',
    change.now,
  );
  await db
    .updateTable('escrow_milestones')
    .set({ status: 'released', released_at: change.now })
    .where('escrow_id', '=', escrowId)
    .where('code', '=', code)
    .execute();
  await touch(db, escrowId, change.now);
  const amount = { amount: milestone.amount, currency: loaded.escrow.currency };
  await queuePayout(db, change, { escrowId, milestone: code, ...amount });
  await recordChange(db, change, {
    action: 'escrow.released',
    entityType: 'escrow',
    entityId: escrowId,
    audit: { milestone: code, amount: milestone.amount, transferId: transfer.id },
    event: {
      type: 'escrow.released',
      data: { escrowId, milestone: code, amount, transferId: transfer.id as `ltr_${string}` },
    },
  });
  return getEscrow(db, change.tenantId, escrowId);
}

/**
 * Freezes a held tranche: it is not released or expired until the escrow is voided.
 *
 * @example
 * await disputeMilestone(trx, change, 'esc_…', 'surgery', 'quality_of_care');
 */
export async function disputeMilestone(
  db: Kysely<DB>,
  change: ChangeContext,
  escrowId: string,
  code: string,
  reason: DisputeReason,
): Promise<Escrow> {
  const loaded = await loadEscrow(db, change.tenantId, escrowId, true);
  const milestone = milestoneOf(loaded, code);
  if (milestone.status === 'disputed') return toEscrow(loaded);
  if (milestone.status !== 'held') {
    throw new ApiError(
      'invalid_state_transition',
      `The ${code} tranche is ${milestone.status}; only a held tranche can be disputed.`,
    );
  }
  await db
    .updateTable('escrow_milestones')
    .set({ status: 'disputed', dispute_reason: reason })
    .where('escrow_id', '=', escrowId)
    .where('code', '=', code)
    .execute();
  await touch(db, escrowId, change.now);
  await recordChange(db, change, {
    action: 'escrow.disputed',
    entityType: 'escrow',
    entityId: escrowId,
    audit: { milestone: code, amount: milestone.amount, reason },
    event: {
      type: 'escrow.disputed',
      data: {
        escrowId: escrowId as `esc_${string}`,
        milestone: code,
        amount: { amount: milestone.amount, currency: loaded.escrow.currency },
        reason,
      },
    },
  });
  return getEscrow(db, change.tenantId, escrowId);
}

/**
 * Voids (or, for the expiry job, expires) the escrow's open tranches: held
 * ones always, disputed ones only on an explicit void.
 *
 * @example
 * await voidEscrow(trx, change, 'esc_…');
 */
export async function voidEscrow(
  db: Kysely<DB>,
  change: ChangeContext,
  escrowId: string,
  outcome: 'voided' | 'expired' = 'voided',
): Promise<Escrow> {
  const loaded = await loadEscrow(db, change.tenantId, escrowId, true);
  const closing = loaded.milestones.filter((m) =>
    outcome === 'voided' ? open(m) : m.status === 'held',
  );
  if (closing.length === 0) return toEscrow(loaded);
  for (const m of closing) {
    await finishTransfer(db, change.tenantId, m.transfer_id, outcome, change.now);
    await db
      .updateTable('escrow_milestones')
      .set({ status: outcome })
      .where('escrow_id', '=', escrowId)
      .where('code', '=', m.code)
      .execute();
  }
  await touch(db, escrowId, change.now);
  const amount = total(closing);
  await recordChange(db, change, {
    action: `escrow.${outcome}`,
    entityType: 'escrow',
    entityId: escrowId,
    audit: { amount, milestones: closing.map((m) => m.code) },
    event: {
      type: 'escrow.voided',
      data: {
        escrowId: escrowId as `esc_${string}`,
        amount: { amount, currency: loaded.escrow.currency },
        status: outcome,
        milestones: closing.map((m) => m.code),
      },
    },
  });
  return getEscrow(db, change.tenantId, escrowId);
}

/**
 * Refunds voided escrow money to the payer, once per reference and never
 * above what was voided and not yet refunded, nor above what is left of the payment.
 *
 * @example
 * await refundEscrow(trx, change, 'esc_…', { reference: 'visa_rejected', amount: { amount: 5000, currency: 'EUR' } });
 */
export async function refundEscrow(
  db: Kysely<DB>,
  change: ChangeContext,
  escrowId: string,
  input: { reference: string; amount: { amount: number; currency: string } },
): Promise<Escrow> {
  const { tenantId, now } = change;
  const loaded = await loadEscrow(db, tenantId, escrowId, true);
  const { escrow } = loaded;
  const earlier = loaded.refunds.find((r) => r.reference === input.reference);
  if (earlier) {
    if (earlier.amount !== input.amount.amount || escrow.currency !== input.amount.currency) {
      throw new ApiError('conflict', `Refund ${input.reference} was issued with another amount.`);
    }
    return toEscrow(loaded);
  }
  if (input.amount.currency !== escrow.currency) {
    throw new ApiError(
      'currency_mismatch',
      `The escrow is in ${escrow.currency}; refund in that currency.`,
    );
  }
  const voided = total(
    loaded.milestones.filter((m) => m.status === 'voided' || m.status === 'expired'),
  );
  const refundable = voided - total(loaded.refunds);
  if (input.amount.amount > refundable) {
    throw new ApiError(
      'refund_exceeds_payment',
      `The refund of ${input.amount.amount} exceeds the ${refundable} (minor units) voided and not yet refunded; void the tranches first.`,
    );
  }
  const refund = await issueRefund(db, change, {
    paymentId: escrow.payment_id,
    amount: input.amount,
    reason: `escrow refund ${input.reference}`,
    escrowId,
  });
  const [clearing] = await tenantAccounts(db, tenantId, escrow.currency, now);
  const { transfer } = await createTransfer(
    db,
    {
      tenantId,
      key: `escrow:${escrowId}:refund:${input.reference}`,
      debitAccountId: escrow.account_id,
      creditAccountId: clearing.id,
      amount: input.amount.amount,
      currency: escrow.currency,
    },
    now,
  );
  await db
    .insertInto('escrow_refunds')
    .values({
      escrow_id: escrowId,
      tenant_id: tenantId,
      reference: input.reference,
      refund_id: refund.id,
      transfer_id: transfer.id,
      amount: input.amount.amount,
      created_at: now,
    })
    .execute();
  await touch(db, escrowId, now);
  return getEscrow(db, tenantId, escrowId);
}

/**
 * Ids of the tenants' escrows with held tranches past their expiry, oldest first.
 *
 * @example
 * const due = await dueEscrows(db, new Date(), 50);
 */
export async function dueEscrows(
  db: Kysely<DB>,
  now: Date,
  limit: number,
): Promise<{ id: string; tenant_id: string }[]> {
  return db
    .selectFrom('escrows')
    .select(['escrows.id', 'escrows.tenant_id'])
    .where('escrows.expires_at', '<=', now)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('escrow_milestones')
          .select('escrow_milestones.code')
          .whereRef('escrow_milestones.escrow_id', '=', 'escrows.id')
          .where('escrow_milestones.status', '=', 'held'),
      ),
    )
    .orderBy('escrows.expires_at')
    .limit(limit)
    .execute();
}
