/**
 * Escrows and ledger balances in the fake API, with the reference server's
 * rules: one escrow per captured payment, held tranches never above what is
 * left of it, a milestone released once however often asked, a disputed
 * tranche frozen until the escrow is voided, refunds drawn only from voided
 * money and never above the payment, one refund per reference. The ledger
 * is kept as the escrow account's balance, not as entries.
 */
import {
  type Escrow,
  escrowOperations,
  type LedgerBalance,
  ledgerAccountOperations,
  newId,
} from '../../../contract/index.ts';
import { type BoundHandler, defineHandler } from '../context.ts';
import { findOr404 } from '../lookup.ts';
import { ApiProblem } from '../problem.ts';
import { recordRefund } from './payments.ts';

const sum = (amounts: number[]) => amounts.reduce((a, b) => a + b, 0);

function totals(e: Escrow, now: string): Escrow {
  const by = (s: string[]) =>
    sum(e.milestones.filter((m) => s.includes(m.status)).map((m) => m.amount.amount));
  const money = (amount: number) => ({ amount, currency: e.held.currency });
  const open = e.milestones.some((m) => m.status === 'held' || m.status === 'disputed');
  return {
    ...e,
    released: money(by(['released'])),
    voided: money(by(['voided', 'expired'])),
    refunded: money(sum(e.refunds.map((r) => r.amount.amount))),
    status: open ? 'held' : 'closed',
    updatedAt: now,
  };
}

type Milestone = Escrow['milestones'][number];

/**
 * The held tranche `code` of an escrow for a release or a dispute: null when
 * it is already in `target` (asking again changes nothing); 404 when the
 * escrow has no such milestone, 409 when the tranche is in any other state.
 */
function heldTranche(
  escrow: Escrow,
  code: string,
  target: 'released' | 'disputed',
): Milestone | null {
  const milestone = escrow.milestones.find((m) => m.code === code);
  if (!milestone) throw new ApiProblem('not_found', `milestone ${code} does not exist`);
  if (milestone.status === target) return null;
  if (milestone.status !== 'held') {
    throw new ApiProblem(
      'invalid_state_transition',
      `the ${milestone.code} tranche is ${milestone.status} and cannot be ${target}`,
    );
  }
  return milestone;
}

/** The escrow with one tranche changed, its totals recomputed. */
const withTranche = (
  escrow: Escrow,
  milestone: Milestone,
  change: Partial<Milestone>,
  now: string,
) =>
  totals(
    {
      ...escrow,
      milestones: escrow.milestones.map((m) => (m === milestone ? { ...m, ...change } : m)),
    },
    now,
  );

/** The escrow account's balance: credits (held) minus posted and pending debits. */
function balanceOf(e: Escrow): LedgerBalance {
  const held = e.held.amount;
  const posted = held - e.released.amount - e.refunded.amount;
  const pending = sum(
    e.milestones
      .filter((m) => m.status === 'held' || m.status === 'disputed')
      .map((m) => m.amount.amount),
  );
  return {
    accountId: e.accountId,
    currency: e.held.currency,
    exponent: 2,
    normalBalance: 'credit',
    posted,
    pending: -pending,
    available: posted - pending,
    version: 0,
  };
}

/**
 * Handlers of the escrow and ledger-account operations.
 *
 * @example
 * const byId = new Map(escrowHandlers.map((h) => [h.op.id, h]));
 */
export const escrowHandlers: BoundHandler[] = [
  defineHandler(escrowOperations.create, (ctx) => {
    const b = ctx.body;
    const payment = findOr404(ctx.tenant.payments, b.paymentId, 'payment');
    const currency = payment.amount.currency;
    if (b.milestones.some((m) => m.amount.currency !== currency)) {
      throw new ApiProblem(
        'currency_mismatch',
        `the payment is in ${currency}; hold in that currency`,
      );
    }
    if (ctx.tenant.escrows.rows().some((r) => r.value.paymentId === payment.id)) {
      throw new ApiProblem('conflict', `payment ${payment.id} already funds an escrow`);
    }
    const amount = sum(b.milestones.map((m) => m.amount.amount));
    const left = payment.amount.amount - payment.amountRefunded.amount;
    if (amount > left) {
      throw new ApiProblem(
        'unprocessable',
        `the tranches total ${amount}, more than the ${left} (minor units) captured and not refunded`,
      );
    }
    const money = (n: number) => ({ amount: n, currency });
    const escrow = totals(
      {
        id: newId('esc'),
        paymentId: payment.id,
        invoiceId: payment.invoiceId,
        accountId: newId('lac'),
        status: 'held',
        held: money(amount),
        released: money(0),
        voided: money(0),
        refunded: money(0),
        milestones: b.milestones.map((m) => ({
          code: m.code,
          amount: money(m.amount.amount),
          status: 'held' as const,
          transferId: newId('ltr'),
          disputeReason: null,
          releasedAt: null,
        })),
        refunds: [],
        expiresAt: b.expiresAt ?? null,
        createdAt: ctx.now,
        updatedAt: ctx.now,
      },
      ctx.now,
    );
    ctx.tenant.escrows.insert(escrow);
    ctx.emit(
      'escrow.held',
      { type: 'escrow', id: escrow.id },
      {
        escrowId: escrow.id,
        paymentId: escrow.paymentId,
        invoiceId: escrow.invoiceId,
        amount: escrow.held,
        milestones: escrow.milestones.map((m) => ({ code: m.code, amount: m.amount })),
      },
    );
    return { body: escrow };
  }),
  defineHandler(escrowOperations.get, (ctx) => ({
    body: findOr404(ctx.tenant.escrows, ctx.params.escrowId, 'escrow'),
  })),
  defineHandler(escrowOperations.release, (ctx) => {
    const escrow = findOr404(ctx.tenant.escrows, ctx.params.escrowId, 'escrow');
    const milestone = heldTranche(escrow, ctx.params.milestone, 'released');
    if (!milestone) return { body: escrow };
    const updated = withTranche(
      escrow,
      milestone,
      { status: 'released', releasedAt: ctx.now },
      ctx.now,
    );
    ctx.tenant.escrows.update(updated);
    ctx.emit(
      'escrow.released',
      { type: 'escrow', id: escrow.id },
      {
        escrowId: escrow.id,
        milestone: milestone.code,
        amount: milestone.amount,
        transferId: milestone.transferId,
      },
    );
    return { body: updated };
  }),
  defineHandler(escrowOperations.dispute, (ctx) => {
    const escrow = findOr404(ctx.tenant.escrows, ctx.params.escrowId, 'escrow');
    const milestone = heldTranche(escrow, ctx.params.milestone, 'disputed');
    if (!milestone) return { body: escrow };
    const updated = withTranche(
      escrow,
      milestone,
      { status: 'disputed', disputeReason: ctx.body.reason },
      ctx.now,
    );
    ctx.tenant.escrows.update(updated);
    ctx.emit(
      'escrow.disputed',
      { type: 'escrow', id: escrow.id },
      {
        escrowId: escrow.id,
        milestone: milestone.code,
        amount: milestone.amount,
        reason: ctx.body.reason,
      },
    );
    return { body: updated };
  }),
  defineHandler(escrowOperations.void, (ctx) => {
    const escrow = findOr404(ctx.tenant.escrows, ctx.params.escrowId, 'escrow');
    const open = escrow.milestones.filter((m) => m.status === 'held' || m.status === 'disputed');
    if (open.length === 0) return { body: escrow };
    const updated = totals(
      {
        ...escrow,
        milestones: escrow.milestones.map((m) =>
          open.includes(m) ? { ...m, status: 'voided' as const } : m,
        ),
      },
      ctx.now,
    );
    ctx.tenant.escrows.update(updated);
    ctx.emit(
      'escrow.voided',
      { type: 'escrow', id: escrow.id },
      {
        escrowId: escrow.id,
        amount: { amount: sum(open.map((m) => m.amount.amount)), currency: escrow.held.currency },
        status: 'voided',
        milestones: open.map((m) => m.code),
      },
    );
    return { body: updated };
  }),
  defineHandler(escrowOperations.refund, (ctx) => {
    const b = ctx.body;
    const escrow = findOr404(ctx.tenant.escrows, ctx.params.escrowId, 'escrow');
    const earlier = escrow.refunds.find((r) => r.reference === b.reference);
    if (earlier) {
      if (
        earlier.amount.amount !== b.amount.amount ||
        earlier.amount.currency !== b.amount.currency
      ) {
        throw new ApiProblem('conflict', `refund ${b.reference} was issued with another amount`);
      }
      return { body: escrow };
    }
    if (b.amount.currency !== escrow.held.currency) {
      throw new ApiProblem(
        'currency_mismatch',
        `the escrow is in ${escrow.held.currency}; refund in that currency`,
      );
    }
    const payment = findOr404(ctx.tenant.payments, escrow.paymentId, 'payment');
    const refundable = Math.min(
      escrow.voided.amount - escrow.refunded.amount,
      payment.amount.amount - payment.amountRefunded.amount,
    );
    if (b.amount.amount > refundable) {
      throw new ApiProblem(
        'refund_exceeds_payment',
        `the refund of ${b.amount.amount} exceeds the ${refundable} (minor units) voided and not yet refunded`,
      );
    }
    const refund = recordRefund(
      ctx.tenant,
      payment,
      b.amount.amount,
      `escrow ${b.reference}`,
      ctx.now,
    );
    const updated = totals(
      {
        ...escrow,
        refunds: [
          ...escrow.refunds,
          { refundId: refund.id, reference: b.reference, amount: refund.amount },
        ],
      },
      ctx.now,
    );
    ctx.tenant.escrows.update(updated);
    ctx.emit(
      'refund.issued',
      { type: 'refund', id: refund.id },
      {
        refundId: refund.id,
        paymentId: payment.id,
        invoiceId: payment.invoiceId,
        amount: refund.amount,
        escrowId: escrow.id,
      },
    );
    return { body: updated };
  }),
  defineHandler(ledgerAccountOperations.balance, (ctx) => {
    const escrow = ctx.tenant.escrows
      .rows()
      .find((r) => r.value.accountId === ctx.params.accountId);
    if (!escrow)
      throw new ApiProblem('not_found', `ledger account ${ctx.params.accountId} does not exist`);
    return { body: balanceOf(escrow.value) };
  }),
];
