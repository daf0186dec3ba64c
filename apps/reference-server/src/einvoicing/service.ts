/**
 * Queuing an invoice for e-invoicing and applying GİB's answer. Queuing is
 * idempotent per invoice: the first call generates the ETTN (a version-4
 * UUID, the UBL-TR `cbc:UUID` GİB knows the invoice by) and stores it with
 * the buyer's tax number (encrypted) for the background job to submit; a
 * repeat returns the same e-invoice. The integrator's status webhook moves
 * it to `approved` (the job then fetches and keeps the PDF) or `rejected`,
 * and records `efatura.status.update` — ids, the ETTN, the status and a
 * reason code only.
 */
import { auditActions, type EInvoice, newId } from '@clinicbridge/sdk/contract';
import type { Kysely } from 'kysely';
import { encryptField } from '../crypto/field-encryption.ts';
import { keyRingOf } from '../crypto/keys.ts';
import type { DB, Row } from '../db/schema.ts';
import { requireInvoice } from '../invoices/service.ts';
import { auditChange, type ChangeContext } from '../kernel/change.ts';
import { recordEvent } from '../kernel/outbox.ts';
import { ApiError } from '../kernel/problem.ts';

/**
 * The e-invoice of an invoice, or undefined.
 *
 * @example
 * const row = await findEInvoice(db, tenantId, 'inv_…');
 */
export function findEInvoice(
  db: Kysely<DB>,
  tenantId: string,
  invoiceId: string,
): Promise<Row<'e_invoices'> | undefined> {
  return db
    .selectFrom('e_invoices')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('invoice_id', '=', invoiceId)
    .executeTakeFirst();
}

/**
 * Queues an invoice for e-invoicing (idempotent per invoice).
 *
 * @example
 * const row = await queueEInvoice(db, change, { invoiceId: 'inv_…', buyerTaxId: '1234567890' });
 */
export async function queueEInvoice(
  db: Kysely<DB>,
  change: ChangeContext,
  input: { invoiceId: string; buyerTaxId: string },
): Promise<Row<'e_invoices'>> {
  if (!/^\d{10,11}$/.test(input.buyerTaxId))
    throw new ApiError(
      'validation_failed',
      'buyerTaxId must be a VKN (10 digits) or a TCKN (11 digits).',
    );
  const invoice = await requireInvoice(db, change.tenantId, input.invoiceId);
  if (invoice.status === 'void')
    throw new ApiError('conflict', 'A void invoice is not e-invoiced.');
  const existing = await findEInvoice(db, change.tenantId, invoice.id);
  if (existing) return existing;
  const id = newId('ein');
  const inserted = await db
    .insertInto('e_invoices')
    .values({
      id,
      tenant_id: change.tenantId,
      invoice_id: invoice.id,
      ettn: crypto.randomUUID(),
      buyer_tax_id: encryptField(keyRingOf(db), input.buyerTaxId, {
        tenantId: change.tenantId,
        table: 'e_invoices',
        column: 'buyer_tax_id',
        rowId: id,
      }),
      status: 'pending',
      pending_action: 'submit',
      next_check_at: change.now,
      attempts: 0,
      created_at: change.now,
      updated_at: change.now,
    })
    // A concurrent first call for the same invoice won: return its row.
    .onConflict((oc) => oc.columns(['tenant_id', 'invoice_id']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!inserted) return (await findEInvoice(db, change.tenantId, invoice.id))!;
  await auditChange(db, change, auditActions['invoices.queueEInvoice'], 'e_invoice', id, {
    invoiceId: invoice.id,
    ettn: inserted.ettn,
  });
  return inserted;
}

/**
 * The API's view of an e-invoice row (never the buyer's tax number).
 *
 * @example
 * const body: EInvoice = toEInvoice(row);
 */
export function toEInvoice(row: Row<'e_invoices'>): EInvoice {
  return {
    id: row.id as EInvoice['id'],
    invoiceId: row.invoice_id as EInvoice['invoiceId'],
    ettn: row.ettn,
    status: row.status,
    reasonCode: row.reason_code,
    pdfKey: row.pdf_key,
    lastError: row.last_error,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/**
 * The e-invoice of the tenant's invoice, or 404.
 *
 * @example
 * const body = await getEInvoice(db, tenantId, 'inv_…');
 */
export async function getEInvoice(
  db: Kysely<DB>,
  tenantId: string,
  invoiceId: string,
): Promise<EInvoice> {
  await requireInvoice(db, tenantId, invoiceId);
  const row = await findEInvoice(db, tenantId, invoiceId);
  if (!row) throw new ApiError('not_found', 'The invoice was never queued for e-invoicing.');
  return toEInvoice(row);
}

/**
 * GİB's answer as the integrator's webhook brings it.
 *
 * @example
 * const update: EInvoiceStatusUpdate = { ettn, status: 'rejected', reasonCode: 'GIB_1163' };
 */
export interface EInvoiceStatusUpdate {
  ettn: string;
  status: 'approved' | 'rejected';
  reasonCode: string | null;
}

/**
 * Applies GİB's answer to the tenant's e-invoice and records
 * `efatura.status.update`. Resolves to false when the e-invoice already
 * has that answer (a second webhook about it changes nothing); an approval
 * asks the job for the PDF.
 *
 * @example
 * await applyEInvoiceStatus(trx, tenantId, { ettn, status: 'approved', reasonCode: null }, now);
 */
export async function applyEInvoiceStatus(
  db: Kysely<DB>,
  tenantId: string,
  update: EInvoiceStatusUpdate,
  now: Date,
): Promise<Row<'e_invoices'> | false | undefined> {
  const row = await db
    .selectFrom('e_invoices')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('ettn', '=', update.ettn)
    .forUpdate()
    .executeTakeFirst();
  if (!row) return undefined;
  if (row.status === update.status) return false;
  const approved = update.status === 'approved';
  const moved = await db
    .updateTable('e_invoices')
    .set({
      status: update.status,
      reason_code: approved ? null : update.reasonCode,
      pending_action: approved ? 'fetch_pdf' : null,
      next_check_at: approved ? now : null,
      attempts: 0,
      last_error: null,
      updated_at: now,
    })
    .where('id', '=', row.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordEvent(db, {
    tenantId,
    type: 'efatura.status.update',
    entityType: 'e_invoice',
    entityId: row.id,
    data: {
      ettn: row.ettn,
      invoiceId: row.invoice_id as `inv_${string}`,
      status: update.status,
      reasonCode: approved ? null : update.reasonCode,
    },
    occurredAt: now,
  });
  return moved;
}
