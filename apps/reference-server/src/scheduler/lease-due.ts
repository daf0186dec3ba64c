/**
 * Leasing the rows a polling job is due to work on. A row is due when its
 * `next_check_at` has passed; leasing moves it `leaseMs` ahead in the same
 * statement, and `FOR UPDATE SKIP LOCKED` lets several processes lease at
 * once without taking the same row. A process that dies mid-work leaves the
 * row to be leased again when the lease runs out.
 */
import type { Kysely } from 'kysely';
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
 * Leases up to `batch` due rows of `table` for `leaseMs`, oldest due first.
 *
 * @example
 * const due = await leaseDue(db, 'claims', new Date(), { batch: 20, leaseMs: 60_000 });
 */
export async function leaseDue<T extends LeasedTable>(
  db: Kysely<DB>,
  table: T,
  now: Date,
  options: { batch: number; leaseMs: number },
): Promise<Row<T>[]> {
  const rows = await db
    .updateTable(table as LeasedTable)
    .set({ next_check_at: new Date(now.getTime() + options.leaseMs) })
    .where('id', 'in', (eb) =>
      eb
        .selectFrom(table as LeasedTable)
        .select('id')
        .where('next_check_at', '<=', now)
        .orderBy('next_check_at')
        .limit(options.batch)
        .forUpdate()
        .skipLocked(),
    )
    .returningAll()
    .execute();
  return rows as Row<T>[];
}
