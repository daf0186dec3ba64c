/**
 * Reconciliation and installment plans in the fake API. The fake has no
 * payment gateway, so a reconciliation run reads no settlement lines and
 * finds no breaks; installment plans are checked against the invoice and
 * stored (the overdue job is the server's).
 */
import {
  type InstallmentPlan,
  installmentPlanOperations,
  newId,
  type ReconciliationRun,
  reconciliationBreakOperations,
  reconciliationRunOperations,
} from '../../../contract/index.ts';
import { type BoundHandler, defineHandler } from '../context.ts';
import { findOr404 } from '../lookup.ts';
import { paginate } from '../pagination.ts';
import { ApiProblem } from '../problem.ts';

/**
 * Handlers of `reconciliationRuns.*`, `reconciliationBreaks.*` and `installmentPlans.*`.
 *
 * @example
 * const byId = new Map(moneyOpsHandlers.map((h) => [h.op.id, h]));
 */
export const moneyOpsHandlers: BoundHandler[] = [
  defineHandler(reconciliationRunOperations.create, (ctx) => {
    const run: ReconciliationRun = {
      id: newId('rcn'),
      provider: ctx.body.provider,
      from: new Date(ctx.body.from).toISOString(),
      to: new Date(ctx.body.to).toISOString(),
      trigger: 'request',
      status: 'completed',
      failureCode: null,
      linesRead: 0,
      transfersRead: 0,
      matched: 0,
      breaks: 0,
      truncated: false,
      createdAt: ctx.now,
    };
    return { body: ctx.tenant.reconciliationRuns.insert(run) };
  }),
  defineHandler(reconciliationRunOperations.get, (ctx) => ({
    body: findOr404(ctx.tenant.reconciliationRuns, ctx.params.runId, 'reconciliation run'),
  })),
  defineHandler(reconciliationBreakOperations.list, (ctx) => ({
    body: paginate(ctx.op.id, [], { limit: ctx.query.limit, cursor: ctx.query.cursor }, 'desc'),
  })),
  defineHandler(reconciliationBreakOperations.resolve, (ctx) => {
    throw new ApiProblem('not_found', `reconciliation break ${ctx.params.breakId} does not exist`);
  }),
  defineHandler(installmentPlanOperations.create, (ctx) => {
    const invoice = findOr404(ctx.tenant.invoices, ctx.body.invoiceId, 'invoice');
    const { parts } = ctx.body;
    const currency = parts[0]?.amount.currency;
    if (currency !== invoice.currency) {
      throw new ApiProblem('currency_mismatch', `The invoice is in ${invoice.currency}.`);
    }
    const total = parts.reduce((sum, p) => sum + p.amount.amount, 0);
    if (total !== invoice.balance.amount) {
      throw new ApiProblem(
        'unprocessable',
        `The parts total ${total}; the invoice balance is ${invoice.balance.amount}.`,
      );
    }
    const plan: InstallmentPlan = {
      id: newId('ipl'),
      invoiceId: invoice.id,
      total: { amount: total, currency },
      parts: parts.map((p, i) => ({
        number: i + 1,
        amount: { amount: p.amount.amount, currency },
        dueDate: p.dueDate,
        status: 'scheduled',
        overdueAt: null,
      })),
      createdAt: ctx.now,
    };
    return { body: ctx.tenant.installmentPlans.insert(plan) };
  }),
  defineHandler(installmentPlanOperations.get, (ctx) => ({
    body: findOr404(ctx.tenant.installmentPlans, ctx.params.planId, 'installment plan'),
  })),
];
