/**
 * Invoices: lines priced in minor units of one currency, tax per line with
 * the contract's `lineTax` rounding, totals computed once at issue.
 * `balance` is `total − amountPaid`; a refund is recorded in
 * `amountRefunded` and does not reopen the invoice. The database refuses a
 * paid amount above the total, as a second line of defence.
 */
import { type Invoice, lineTax, newId } from '@clinicbridge/sdk/contract';
import type { Kysely } from 'kysely';
import type { DB, InvoiceLineRow, Row } from '../db/schema.ts';
import type { ChangeContext } from '../kernel/change.ts';
import { byPatientAndStatus, listPage, type PatientListQuery } from '../kernel/list.ts';
import { insertOwned, updateOwned } from '../kernel/owned.ts';
import { ApiError } from '../kernel/problem.ts';
import { recordChange } from '../kernel/record-change.ts';
import { requireOwned } from '../kernel/require-owned.ts';
import { requirePatient } from '../patients/service.ts';
import { requireVisit } from '../visits/service.ts';

/**
 * A line as a caller sends it.
 *
 * @example
 * const line: LineInput = { description: 'Crown', quantity: 2, unitPrice: { amount: 10_005, currency: 'EUR' }, taxRateBps: 1800 };
 */
export interface LineInput {
  description: string;
  quantity: number;
  unitPrice: { amount: number; currency: string };
  taxRateBps?: number | undefined;
}

const money = (amount: number, currency: string) => ({ amount, currency });

/**
 * Prices lines: subtotal = quantity × unit price, tax by `lineTax`, total = both.
 *
 * @example
 * priceLines([{ description: 'X-ray', quantity: 1, unitPrice: { amount: 333, currency: 'EUR' } }]);
 */
export function priceLines(lines: readonly LineInput[]): InvoiceLineRow[] {
  return lines.map((line) => {
    const subtotal = line.quantity * line.unitPrice.amount;
    const taxRateBps = line.taxRateBps ?? 0;
    const tax = lineTax(subtotal, taxRateBps);
    return {
      description: line.description,
      quantity: line.quantity,
      unitPrice: line.unitPrice.amount,
      taxRateBps,
      subtotal,
      tax,
      total: subtotal + tax,
    };
  });
}

/**
 * The public view of an invoice row.
 *
 * @example
 * toInvoice(row).balance; // { amount: 0, currency: 'EUR' } when paid
 */
export function toInvoice(row: Row<'invoices'>): Invoice {
  const c = row.currency;
  return {
    id: row.id as `inv_${string}`,
    patientId: row.patient_id as `pat_${string}`,
    visitId: row.visit_id as `vis_${string}` | null,
    status: row.status,
    currency: c,
    lines: row.lines.map((l) => ({
      description: l.description,
      quantity: l.quantity,
      unitPrice: money(l.unitPrice, c),
      taxRateBps: l.taxRateBps,
      subtotal: money(l.subtotal, c),
      tax: money(l.tax, c),
      total: money(l.total, c),
    })),
    subtotal: money(row.subtotal, c),
    tax: money(row.tax, c),
    total: money(row.total, c),
    amountPaid: money(row.amount_paid, c),
    amountRefunded: money(row.amount_refunded, c),
    balance: money(row.total - row.amount_paid, c),
    dueDate: row.due_date,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/**
 * An invoice row of the tenant, or 404.
 *
 * @example
 * await requireInvoice(trx, tenantId, 'inv_…', { lock: true });
 */
export async function requireInvoice(
  db: Kysely<DB>,
  tenantId: string,
  id: string,
  options: { lock?: boolean } = {},
): Promise<Row<'invoices'>> {
  return requireOwned(db, 'invoices', tenantId, id, options);
}

/**
 * Issues an invoice.
 *
 * @example
 * await issueInvoice(trx, change, { patientId, currency: 'EUR', lines });
 */
export async function issueInvoice(
  db: Kysely<DB>,
  change: ChangeContext,
  input: {
    patientId: string;
    visitId?: string | undefined;
    currency: string;
    lines: LineInput[];
    dueDate?: string | undefined;
  },
): Promise<Invoice> {
  await requirePatient(db, change.tenantId, input.patientId);
  if (input.visitId !== undefined) {
    const visit = await requireVisit(db, change.tenantId, input.visitId);
    if (visit.patient_id !== input.patientId) {
      throw new ApiError('unprocessable', 'The visit belongs to another patient.');
    }
  }
  const lines = priceLines(input.lines);
  const subtotal = lines.reduce((s, l) => s + l.subtotal, 0);
  const tax = lines.reduce((s, l) => s + l.tax, 0);
  const total = subtotal + tax;
  if (!Number.isSafeInteger(total)) {
    throw new ApiError('unprocessable', 'The invoice total is too large to represent exactly.');
  }
  const row: Row<'invoices'> = {
    id: newId('inv'),
    tenant_id: change.tenantId,
    patient_id: input.patientId,
    visit_id: input.visitId ?? null,
    status: total === 0 ? 'paid' : 'open',
    currency: input.currency,
    lines,
    subtotal,
    tax,
    total,
    amount_paid: 0,
    amount_refunded: 0,
    due_date: input.dueDate ?? null,
    created_at: change.now,
    updated_at: change.now,
  };
  await insertOwned(db, 'invoices', { ...row, lines: JSON.stringify(lines) });
  const view = toInvoice(row);
  await recordChange(db, change, {
    action: 'invoice.created',
    entityType: 'invoice',
    entityId: row.id,
    audit: {
      total,
      currency: row.currency,
    },
    event: {
      type: 'invoice.created',
      data: {
        invoiceId: view.id,
        patientId: view.patientId,
        total: view.total,
        balance: view.balance,
        dueDate: view.dueDate,
      },
    },
  });
  return view;
}

/**
 * Lists invoices by patient and status.
 *
 * @example
 * await listInvoices(db, tenantId, { status: 'open' });
 */
export function listInvoices(db: Kysely<DB>, tenantId: string, query: PatientListQuery) {
  return listPage(db, 'invoices', tenantId, query, byPatientAndStatus(query), toInvoice);
}

/**
 * Writes new paid and refunded amounts, recomputing the status.
 *
 * @example
 * await setInvoiceAmounts(trx, invoice, invoice.amount_paid + 500, invoice.amount_refunded, now);
 */
export async function setInvoiceAmounts(
  db: Kysely<DB>,
  invoice: Row<'invoices'>,
  amountPaid: number,
  amountRefunded: number,
  now: Date,
): Promise<Row<'invoices'>> {
  const status =
    invoice.status === 'void' ? 'void' : invoice.total - amountPaid === 0 ? 'paid' : 'open';
  await updateOwned(db, 'invoices', invoice.tenant_id, invoice.id, {
    amount_paid: amountPaid,
    amount_refunded: amountRefunded,
    status,
    updated_at: now,
  });
  return {
    ...invoice,
    amount_paid: amountPaid,
    amount_refunded: amountRefunded,
    status,
    updated_at: now,
  };
}
