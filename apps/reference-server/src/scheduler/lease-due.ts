/**
 * Leasing the rows a polling job is due to work on. A row is due when its
 * `next_check_at` has passed; leasing moves it `leaseMs` ahead in the same
 * statement, and `FOR UPDATE SKIP LOCKED` lets several processes lease at
 * once without taking the same row. A process that dies mid-work leaves the
 * row to be leased again when the lease runs out. A job that can work only
 * some rows (those of its own provider, those still pending) says so in
 * `only`, so it never leases, and so delays, a row another job is due to
 * work on.
 */
import { type Kysely, sql } from 'kysely';
import type { DB, Row } from '../db/schema.ts';

/** Tables worked by a leased polling job: each has `id` and `next_check_at`. */
export type LeasedTable =
  | 'claims'
  | 'visa_applications'
  | 'installment_parts'
  | 'e_invoices'
  | 'import_jobs'
  | 'escrow_payouts';

/**
 * The rows a job may lease: each column named must hold one of its listed
 * values (an empty list leases nothing).
 *
 * @example
 * const stripeOnly: LeaseFilter<'escrow_payouts'> = { status: ['pending'], provider: ['stripe'] };
 */
export type LeaseFilter<T extends LeasedTable> = {
  readonly [C in keyof DB[T] & string]?: readonly string[];
};

/**
 * Leases up to `batch` due rows of `table` for `leaseMs`, oldest due first;
 * with `only`, just the rows matching it.
 *
 * @example
 * const due = await leaseDue(db, 'claims', new Date(), { batch: 20, leaseMs: 60_000 });
 * const mine = await leaseDue(db, 'escrow_payouts', new Date(), {
 *   batch: 20,
 *   leaseMs: 60_000,
 *   only: { status: ['pending'], provider: ['stripe'] },
 * });
 */
export async function leaseDue<T extends LeasedTable>(
  db: Kysely<DB>,
  table: T,
  now: Date,
  options: { batch: number; leaseMs: number; only?: LeaseFilter<T> },
): Promise<Row<T>[]> {
  const only = Object.entries(options.only ?? {}) as [string, readonly string[] | undefined][];
  if (only.some(([, values]) => values?.length === 0)) return [];
  const rows = await db
    .updateTable(table as LeasedTable)
    .set({ next_check_at: new Date(now.getTime() + options.leaseMs) })
    .where('id', 'in', (eb) => {
      let due = eb
        .selectFrom(table as LeasedTable)
        .select('id')
        .where('next_check_at', '<=', now);
      for (const [column, values] of only) {
        if (values) due = due.where(sql<boolean>`${sql.ref(column)} in (${sql.join(values)})`);
      }
      return due.orderBy('next_check_at').limit(options.batch).forUpdate().skipLocked();
    })
    .returningAll()
    .execute();
  return rows as Row<T>[];
}
