/**
 * Table types of the installments feature, added to the server's `DB` by
 * module augmentation (see src/db/schema.ts).
 */

/**
 * An installment plan over an invoice's balance at the time it was made.
 *
 * @example
 * await db.selectFrom('installment_plans').selectAll().where('invoice_id', '=', invoiceId).executeTakeFirst();
 */
export interface InstallmentPlansTable {
  id: string;
  tenant_id: string;
  invoice_id: string;
  currency: string;
  total: number;
  /** What the invoice had been paid when the plan was made; later payments cover the parts. */
  paid_before: number;
  created_at: Date;
}

/**
 * One part of a plan. `next_check_at` is when the overdue job looks at it
 * (its due date's end; leased by scheduler/lease-due.ts) and null once it is settled either way.
 *
 * @example
 * await db.selectFrom('installment_parts').selectAll().where('plan_id', '=', planId).orderBy('number').execute();
 */
export interface InstallmentPartsTable {
  id: string;
  tenant_id: string;
  plan_id: string;
  number: number;
  amount: number;
  due_date: string;
  next_check_at: Date | null;
  overdue_at: Date | null;
}

declare module '../db/schema.ts' {
  interface DB {
    installment_plans: InstallmentPlansTable;
    installment_parts: InstallmentPartsTable;
  }
}
