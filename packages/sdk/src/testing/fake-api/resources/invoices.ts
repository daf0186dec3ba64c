/**
 * Invoices in the fake API. Totals are computed here, line by line with the
 * contract's `lineTax`, so they agree with the server to the minor unit.
 * `balance` is `total − amountPaid`; a refund is recorded in
 * `amountRefunded` and does not reopen the invoice. An e-invoice is queued
 * once per invoice (same ETTN on a repeat) and stays `pending`: the fake has
 * no integrator.
 */
import {
  type EInvoice,
  type Invoice,
  invoiceOperations,
  lineTax,
  type Money,
  newId,
} from '../../../contract/index.ts';
import { type BoundHandler, defineHandler } from '../context.ts';
import { filterRows, findOr404 } from '../lookup.ts';
import { paginate } from '../pagination.ts';
import { ApiProblem } from '../problem.ts';

const eInvoiceOf = (rows: readonly EInvoice[], invoiceId: string) =>
  rows.find((row) => row.invoiceId === invoiceId);

/**
 * An invoice with new paid and refunded amounts, its balance and status recomputed.
 *
 * @example
 * const paid = withAmounts(invoice, invoice.amountPaid.amount + 500, invoice.amountRefunded.amount, now);
 */
export function withAmounts(
  invoice: Invoice,
  amountPaid: number,
  amountRefunded: number,
  now: string,
): Invoice {
  const money = (amount: number): Money => ({ amount, currency: invoice.currency });
  const balance = invoice.total.amount - amountPaid;
  return {
    ...invoice,
    amountPaid: money(amountPaid),
    amountRefunded: money(amountRefunded),
    balance: money(balance),
    status: invoice.status === 'void' ? 'void' : balance === 0 ? 'paid' : 'open',
    updatedAt: now,
  };
}

/**
 * Handlers of the invoice operations.
 *
 * @example
 * const byId = new Map(invoiceHandlers.map((h) => [h.op.id, h]));
 */
export const invoiceHandlers: BoundHandler[] = [
  defineHandler(invoiceOperations.create, (ctx) => {
    const b = ctx.body;
    findOr404(ctx.tenant.patients, b.patientId, 'patient');
    if (b.visitId !== undefined) {
      const visit = findOr404(ctx.tenant.visits, b.visitId, 'visit');
      if (visit.patientId !== b.patientId) {
        throw new ApiProblem('unprocessable', 'the visit belongs to another patient');
      }
    }
    const money = (amount: number): Money => ({ amount, currency: b.currency });
    const lines = b.lines.map((line) => {
      const subtotal = line.quantity * line.unitPrice.amount;
      const taxRateBps = line.taxRateBps ?? 0;
      const tax = lineTax(subtotal, taxRateBps);
      return {
        description: line.description,
        quantity: line.quantity,
        unitPrice: money(line.unitPrice.amount),
        taxRateBps,
        subtotal: money(subtotal),
        tax: money(tax),
        total: money(subtotal + tax),
      };
    });
    const sum = (pick: (l: (typeof lines)[number]) => Money) =>
      lines.reduce((acc, l) => acc + pick(l).amount, 0);
    const total = sum((l) => l.total);
    if (!Number.isSafeInteger(total)) {
      throw new ApiProblem('unprocessable', 'the invoice total is too large to represent exactly');
    }
    const invoice: Invoice = {
      id: newId('inv'),
      patientId: b.patientId,
      visitId: b.visitId ?? null,
      status: total === 0 ? 'paid' : 'open',
      currency: b.currency,
      lines,
      subtotal: money(sum((l) => l.subtotal)),
      tax: money(sum((l) => l.tax)),
      total: money(total),
      amountPaid: money(0),
      amountRefunded: money(0),
      balance: money(total),
      dueDate: b.dueDate ?? null,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    };
    ctx.tenant.invoices.insert(invoice);
    ctx.emit(
      'invoice.created',
      { type: 'invoice', id: invoice.id },
      {
        invoiceId: invoice.id,
        patientId: invoice.patientId,
        total: invoice.total,
        balance: invoice.balance,
        dueDate: invoice.dueDate,
      },
    );
    return { body: invoice };
  }),
  defineHandler(invoiceOperations.get, (ctx) => ({
    body: findOr404(ctx.tenant.invoices, ctx.params.invoiceId, 'invoice'),
  })),
  defineHandler(invoiceOperations.list, (ctx) => {
    const { limit, cursor, patientId, status } = ctx.query;
    const rows = filterRows(ctx.tenant.invoices, { patientId, status });
    return { body: paginate(ctx.op.id, rows, { limit, cursor }, 'asc') };
  }),
  defineHandler(invoiceOperations.queueEInvoice, (ctx) => {
    const invoice = findOr404(ctx.tenant.invoices, ctx.params.invoiceId, 'invoice');
    if (invoice.status === 'void')
      throw new ApiProblem('conflict', 'a void invoice is not e-invoiced');
    const existing = eInvoiceOf(ctx.tenant.eInvoices.values(), invoice.id);
    if (existing) return { body: existing };
    const eInvoice: EInvoice = {
      id: newId('ein'),
      invoiceId: invoice.id,
      ettn: crypto.randomUUID(),
      status: 'pending',
      reasonCode: null,
      pdfKey: null,
      lastError: null,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    };
    return { body: ctx.tenant.eInvoices.insert(eInvoice) };
  }),
  defineHandler(invoiceOperations.getEInvoice, (ctx) => {
    const invoice = findOr404(ctx.tenant.invoices, ctx.params.invoiceId, 'invoice');
    const found = eInvoiceOf(ctx.tenant.eInvoices.values(), invoice.id);
    if (!found) throw new ApiProblem('not_found', 'the invoice was never queued for e-invoicing');
    return { body: found };
  }),
];
