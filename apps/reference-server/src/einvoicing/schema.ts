/**
 * Table types of the e-invoicing feature, added to the server's `DB` by
 * module augmentation (see src/db/schema.ts).
 */

/**
 * Where an e-invoice stands: `pending` until the integrator took it,
 * `queued` with GİB, `approved` or `rejected` by GİB, `manual` when the
 * operators file it by hand.
 *
 * @example
 * const status: EInvoiceStatus = 'approved';
 */
export type EInvoiceStatus = 'pending' | 'queued' | 'approved' | 'rejected' | 'manual';

/**
 * An invoice's e-invoice: its ETTN, GİB's answer, where its PDF is kept and
 * when the background job looks at it next.
 *
 * @example
 * await db.selectFrom('e_invoices').selectAll().where('ettn', '=', ettn).executeTakeFirst();
 */
export interface EInvoicesTable {
  id: string;
  tenant_id: string;
  invoice_id: string;
  /** The UUID GİB knows the invoice by, generated here once. */
  ettn: string;
  /** The buyer's VKN or TCKN, encrypted (a TCKN is a person's national id). */
  buyer_tax_id: string;
  status: EInvoiceStatus;
  /** GİB's or the integrator's code for a rejection. */
  reason_code: string | null;
  /** Work for the job: `submit` to the integrator, `fetch_pdf` once approved. */
  pending_action: 'submit' | 'fetch_pdf' | null;
  provider: string | null;
  /** `invoices/{ettn}.pdf` once kept (a `storage_objects` row under retention). */
  pdf_key: string | null;
  last_error: string | null;
  next_check_at: Date | null;
  attempts: number;
  created_at: Date;
  updated_at: Date;
}

declare module '../db/schema.ts' {
  interface DB {
    e_invoices: EInvoicesTable;
  }
}
