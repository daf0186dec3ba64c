/**
 * Report kinds of exports, computed from invoices, payments and refunds
 * (the ledger holds escrow movements only, so these tables are the record
 * of what was billed and collected). Amounts are integer minor units, one
 * row per currency, never summed across currencies. Rows come out in a
 * fixed order (period, then currency), so the same data gives the same bytes.
 *
 * - `revenue_daily`: per UTC day, payments received and refunds made.
 * - `profit_monthly`: per UTC month, invoiced (net, tax, total), collected,
 *   refunded and net. The server records no costs, so "profit" is
 *   collections less refunds.
 * - `receivables_aging`: at the end of the period (or now), what each
 *   non-void invoice still owes, bucketed by days past its due date (its
 *   creation date when it has none): 0–30 (including not yet due), 31–60,
 *   61–90, over 90.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Cell, ExportColumn } from './csv.ts';
import type { ExportScope } from './kinds.ts';

/**
 * A report kind.
 *
 * @example
 * const kind: ReportKind = 'receivables_aging';
 */
export type ReportKind = 'revenue_daily' | 'profit_monthly' | 'receivables_aging';

/**
 * Columns of each report.
 *
 * @example
 * reportColumns.receivables_aging.map((c) => c.name);
 */
export const reportColumns: Record<ReportKind, readonly ExportColumn[]> = {
  revenue_daily: [
    { name: 'date', type: 'date' },
    { name: 'currency', type: 'text' },
    { name: 'payments', type: 'number' },
    { name: 'collected', type: 'money' },
    { name: 'refunds', type: 'number' },
    { name: 'refunded', type: 'money' },
    { name: 'net', type: 'money' },
  ],
  profit_monthly: [
    { name: 'month', type: 'date' },
    { name: 'currency', type: 'text' },
    { name: 'invoices', type: 'number' },
    { name: 'invoicedNet', type: 'money' },
    { name: 'invoicedTax', type: 'money' },
    { name: 'invoiced', type: 'money' },
    { name: 'collected', type: 'money' },
    { name: 'refunded', type: 'money' },
    { name: 'net', type: 'money' },
  ],
  receivables_aging: [
    { name: 'asOf', type: 'timestamp' },
    { name: 'currency', type: 'text' },
    { name: 'invoices', type: 'number' },
    { name: 'days0to30', type: 'money' },
    { name: 'days31to60', type: 'money' },
    { name: 'days61to90', type: 'money' },
    { name: 'days90plus', type: 'money' },
    { name: 'total', type: 'money' },
  ],
};

/**
 * True for the report kinds.
 *
 * @example
 * isReportKind('profit_monthly'); // true
 */
export function isReportKind(kind: string): kind is ReportKind {
  return kind in reportColumns;
}

const DAY_MS = 86_400_000;

/** Sums grouped by period and currency, read back in sorted order. */
class Buckets {
  readonly #sums = new Map<string, number[]>();
  readonly #width: number;
  constructor(width: number) {
    this.#width = width;
  }
  add(period: string, currency: string, index: number, amount: number): void {
    const key = `${period}\u0000${currency}`;
    let sums = this.#sums.get(key);
    if (!sums) {
      sums = new Array<number>(this.#width).fill(0);
      this.#sums.set(key, sums);
    }
    sums[index] = (sums[index] ?? 0) + amount;
  }
  rows(): [string, string, number[]][] {
    return [...this.#sums.keys()].sort().map((key) => {
      const [period = '', currency = ''] = key.split('\u0000');
      return [period, currency, this.#sums.get(key) ?? []];
    });
  }
}

async function paymentsIn(db: Kysely<DB>, scope: ExportScope, on: 'received_at' | 'created_at') {
  const { from, to } = scope;
  return db
    .selectFrom('payments')
    .select(['amount', 'currency', 'received_at', 'created_at', 'invoice_id'])
    .where('tenant_id', '=', scope.tenantId)
    .$if(from !== null, (q) => q.where(on, '>=', from as Date))
    .$if(to !== null, (q) => q.where(on, '<', to as Date))
    .execute();
}

async function refundsIn(db: Kysely<DB>, scope: ExportScope) {
  const { from, to } = scope;
  return db
    .selectFrom('refunds')
    .select(['amount', 'currency', 'created_at'])
    .where('tenant_id', '=', scope.tenantId)
    .where('status', '=', 'succeeded')
    .$if(from !== null, (q) => q.where('created_at', '>=', from as Date))
    .$if(to !== null, (q) => q.where('created_at', '<', to as Date))
    .execute();
}

const day = (d: Date) => d.toISOString().slice(0, 10);
const month = (d: Date) => d.toISOString().slice(0, 7);

async function revenueDaily(db: Kysely<DB>, scope: ExportScope): Promise<Cell[][]> {
  // payments, collected, refunds, refunded
  const sums = new Buckets(4);
  for (const p of await paymentsIn(db, scope, 'received_at')) {
    sums.add(day(p.received_at), p.currency, 0, 1);
    sums.add(day(p.received_at), p.currency, 1, Number(p.amount));
  }
  for (const r of await refundsIn(db, scope)) {
    sums.add(day(r.created_at), r.currency, 2, 1);
    sums.add(day(r.created_at), r.currency, 3, Number(r.amount));
  }
  return sums
    .rows()
    .map(([date, currency, [payments = 0, collected = 0, refunds = 0, refunded = 0]]) => [
      date,
      currency,
      payments,
      collected,
      refunds,
      refunded,
      collected - refunded,
    ]);
}

async function profitMonthly(db: Kysely<DB>, scope: ExportScope): Promise<Cell[][]> {
  const { from, to } = scope;
  // invoices, net, tax, total, collected, refunded
  const sums = new Buckets(6);
  const invoices = await db
    .selectFrom('invoices')
    .select(['subtotal', 'tax', 'total', 'currency', 'created_at'])
    .where('tenant_id', '=', scope.tenantId)
    .where('status', '!=', 'void')
    .$if(from !== null, (q) => q.where('created_at', '>=', from as Date))
    .$if(to !== null, (q) => q.where('created_at', '<', to as Date))
    .execute();
  for (const i of invoices) {
    const m = month(i.created_at);
    sums.add(m, i.currency, 0, 1);
    sums.add(m, i.currency, 1, Number(i.subtotal));
    sums.add(m, i.currency, 2, Number(i.tax));
    sums.add(m, i.currency, 3, Number(i.total));
  }
  for (const p of await paymentsIn(db, scope, 'received_at')) {
    sums.add(month(p.received_at), p.currency, 4, Number(p.amount));
  }
  for (const r of await refundsIn(db, scope)) {
    sums.add(month(r.created_at), r.currency, 5, Number(r.amount));
  }
  return sums
    .rows()
    .map(([m, currency, [count = 0, net = 0, tax = 0, total = 0, collected = 0, refunded = 0]]) => [
      m,
      currency,
      count,
      net,
      tax,
      total,
      collected,
      refunded,
      collected - refunded,
    ]);
}

/**
 * The aging bucket (0–3) of an amount `days` past due; not yet due counts as 0–30.
 *
 * @example
 * agingBucket(45); // 1 (31–60)
 */
export function agingBucket(days: number): 0 | 1 | 2 | 3 {
  if (days <= 30) return 0;
  if (days <= 60) return 1;
  if (days <= 90) return 2;
  return 3;
}

async function receivablesAging(db: Kysely<DB>, scope: ExportScope, now: Date): Promise<Cell[][]> {
  const asOf = scope.to ?? now;
  const invoices = await db
    .selectFrom('invoices')
    .select(['id', 'total', 'currency', 'due_date', 'created_at'])
    .where('tenant_id', '=', scope.tenantId)
    .where('status', '!=', 'void')
    .where('created_at', '<', asOf)
    .execute();
  // What was paid by then, so the report is true at `asOf` and not today.
  const paid = new Map<string, number>();
  for (const p of await paymentsIn(db, { ...scope, from: null, to: asOf }, 'received_at')) {
    paid.set(p.invoice_id, (paid.get(p.invoice_id) ?? 0) + Number(p.amount));
  }
  // invoices, 0–30, 31–60, 61–90, 90+
  const sums = new Buckets(5);
  for (const invoice of invoices) {
    const owed = Number(invoice.total) - (paid.get(invoice.id) ?? 0);
    if (owed <= 0) continue;
    const due = invoice.due_date
      ? new Date(`${String(invoice.due_date)}T00:00:00Z`)
      : invoice.created_at;
    const days = Math.floor((asOf.getTime() - due.getTime()) / DAY_MS);
    sums.add('', invoice.currency, 0, 1);
    sums.add('', invoice.currency, 1 + agingBucket(days), owed);
  }
  return sums
    .rows()
    .map(([, currency, [count = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0]]) => [
      asOf.toISOString(),
      currency,
      count,
      b0,
      b1,
      b2,
      b3,
      b0 + b1 + b2 + b3,
    ]);
}

/**
 * The rows of a report for the period, in their fixed order.
 *
 * @example
 * const rows = await reportRows(db, 'revenue_daily', { tenantId, from, to }, now);
 */
export function reportRows(
  db: Kysely<DB>,
  kind: ReportKind,
  scope: ExportScope,
  now: Date,
): Promise<Cell[][]> {
  switch (kind) {
    case 'revenue_daily':
      return revenueDaily(db, scope);
    case 'profit_monthly':
      return profitMonthly(db, scope);
    case 'receivables_aging':
      return receivablesAging(db, scope, now);
  }
}
