/**
 * The e-invoicing job: every pass leases the e-invoices with work (a
 * submission to the integrator, a PDF to fetch once GİB approved), talks to
 * the integrator outside any transaction, then applies the answer.
 *
 * An approved invoice's PDF is kept in object storage at
 * `invoices/{ettn}.pdf` with a `storage_objects` row retained for ten years
 * (the database refuses its deletion before then), in the transaction that
 * records `pdf_key`. An invoice is never stuck: with no integrator
 * configured, when the adapter's breaker is open or its retries are spent
 * (the adapter records the manual task), or when the invoice cannot be
 * expressed as an e-Fatura (a VAT rate GİB does not have), it becomes
 * `manual` with a task on `/ops`. A failing PDF fetch backs off (doubling,
 * up to an hour) and leaves one manual task after five attempts.
 */
import {
  type EInvoiceSubmission,
  type EInvoicing,
  isProviderError,
  type ManualTaskSink,
  type ObjectStorage,
} from '@clinicbridge/adapters';
import type { Kysely } from 'kysely';
import { decryptField } from '../crypto/field-encryption.ts';
import { keyRingOf } from '../crypto/keys.ts';
import type { DB, Row } from '../db/schema.ts';
import { requireInvoice } from '../invoices/service.ts';
import type { Logger } from '../observability/logger.ts';
import { callForTenant } from '../providers/audit.ts';
import { doublingBackoffMs } from '../scheduler/backoff.ts';
import { leaseDue } from '../scheduler/lease-due.ts';
import { keepObject } from '../storage/service.ts';

const BATCH = 20;
const LEASE_MS = 60_000;
const MAX_BACKOFF_MS = 3_600_000;
const MANUAL_AFTER_ATTEMPTS = 5;
/** Turkish tax law keeps e-invoices for ten years (VUK art. 253 with the e-Fatura rules). */
const RETENTION_YEARS = 10;
const VAT_RATES = [0, 1, 10, 20] as const;

/**
 * What the job needs.
 *
 * @example
 * const deps: EInvoicingWorkerDeps = { db, einvoicing: providers.einvoicing, storage: providers.storage, manualTasks, logger };
 */
export interface EInvoicingWorkerDeps {
  db: Kysely<DB>;
  einvoicing: EInvoicing | undefined;
  storage: ObjectStorage;
  manualTasks: ManualTaskSink;
  logger: Logger;
}

type EInvoiceRow = Row<'e_invoices'>;

/**
 * The key an e-invoice's PDF is kept under.
 *
 * @example
 * eInvoicePdfKey('3f1c2b9e-8a47-4c1d-9b6e-2f0a5d7c8e91'); // 'invoices/3f1c…8e91.pdf'
 */
export const eInvoicePdfKey = (ettn: string): string => `invoices/${ettn}.pdf`;

/**
 * The end of an e-invoice PDF's retention, counted from when it is kept.
 *
 * @example
 * eInvoiceRetainUntil(new Date('2026-12-01T00:00:00Z')).toISOString(); // '2036-12-01T00:00:00.000Z'
 */
export function eInvoiceRetainUntil(now: Date): Date {
  const until = new Date(now);
  until.setUTCFullYear(until.getUTCFullYear() + RETENTION_YEARS);
  return until;
}

async function leaveManualTask(
  deps: EInvoicingWorkerDeps,
  row: EInvoiceRow,
  operation: 'einvoicing.submit' | 'einvoicing.pdf',
  reason: string,
  now: Date,
): Promise<void> {
  await callForTenant(row.tenant_id, () =>
    deps.manualTasks.record({
      id: `mt_${crypto.randomUUID()}`,
      kind: 'einvoicing',
      provider: deps.einvoicing?.provider ?? 'none',
      operation,
      subjectRef: row.invoice_id,
      summary:
        operation === 'einvoicing.submit'
          ? `File invoice ${row.invoice_id} as an e-Fatura (ETTN ${row.ettn}) with the integrator by hand.`
          : `Download the signed PDF of e-invoice ${row.ettn} (invoice ${row.invoice_id}) from the integrator and keep it.`,
      reason,
      details: { ettn: row.ettn, eInvoiceId: row.id },
      createdAt: now.toISOString(),
    }),
  );
}

const settle = (
  deps: EInvoicingWorkerDeps,
  row: EInvoiceRow,
  set: Partial<Omit<EInvoiceRow, 'id' | 'tenant_id'>>,
  now: Date,
) =>
  deps.db
    .updateTable('e_invoices')
    .set({ ...set, updated_at: now })
    .where('id', '=', row.id)
    .execute();

const toManual = async (
  deps: EInvoicingWorkerDeps,
  row: EInvoiceRow,
  reason: string,
  now: Date,
  taskRecorded = false,
) => {
  if (!taskRecorded) await leaveManualTask(deps, row, 'einvoicing.submit', reason, now);
  await settle(
    deps,
    row,
    { status: 'manual', pending_action: null, next_check_at: null, last_error: reason },
    now,
  );
};

/** The submission of a row, or the reason it cannot be one. */
async function submissionOf(
  deps: EInvoicingWorkerDeps,
  row: EInvoiceRow,
): Promise<EInvoiceSubmission | string> {
  const invoice = await requireInvoice(deps.db, row.tenant_id, row.invoice_id);
  const lines = [];
  for (const line of invoice.lines) {
    const rate = line.taxRateBps / 100;
    const vat = VAT_RATES.find((r) => r === rate);
    if (vat === undefined) return 'unsupported_vat_rate';
    lines.push({
      label: line.description.slice(0, 120),
      quantity: line.quantity,
      unitPriceMinor: line.unitPrice,
      vatRatePercent: vat,
    });
  }
  return {
    invoiceRef: invoice.id,
    ettn: row.ettn,
    issueDate: invoice.created_at.toISOString().slice(0, 10),
    currency: invoice.currency,
    buyerTaxId: decryptField(keyRingOf(deps.db), row.buyer_tax_id, {
      tenantId: row.tenant_id,
      table: 'e_invoices',
      column: 'buyer_tax_id',
      rowId: row.id,
    }),
    lines,
  };
}

async function submit(
  deps: EInvoicingWorkerDeps,
  einvoicing: EInvoicing,
  row: EInvoiceRow,
  now: Date,
): Promise<void> {
  const submission = await submissionOf(deps, row);
  if (typeof submission === 'string') return toManual(deps, row, submission, now);
  const result = await callForTenant(row.tenant_id, () => einvoicing.submit(submission));
  if (result.status === 'manual') return toManual(deps, row, 'integrator_unavailable', now, true);
  await settle(
    deps,
    row,
    {
      // GİB's answer may already be in (a webhook before this pass applied it).
      ...(row.status === 'pending' ? { status: 'queued' as const } : {}),
      provider: einvoicing.provider,
      pending_action: null,
      next_check_at: null,
      attempts: 0,
      last_error: null,
    },
    now,
  );
}

async function keepPdf(
  deps: EInvoicingWorkerDeps,
  einvoicing: EInvoicing,
  row: EInvoiceRow,
  now: Date,
): Promise<void> {
  const pdf = await callForTenant(row.tenant_id, () => einvoicing.pdf({ ettn: row.ettn }));
  const key = eInvoicePdfKey(row.ettn);
  await deps.db.transaction().execute(async (trx) => {
    const kept = await trx
      .selectFrom('storage_objects')
      .select('key')
      .where('key', '=', key)
      .executeTakeFirst();
    // Kept by an earlier pass that failed after: the bytes and row stay as they are.
    if (!kept)
      await keepObject(trx, deps.storage, {
        tenantId: row.tenant_id,
        key,
        purpose: 'e_invoice',
        body: pdf.bytes,
        contentType: 'application/pdf',
        retainUntil: eInvoiceRetainUntil(now),
        now,
      });
    await trx
      .updateTable('e_invoices')
      .set({
        pdf_key: key,
        pending_action: null,
        next_check_at: null,
        attempts: 0,
        last_error: null,
        updated_at: now,
      })
      .where('id', '=', row.id)
      .execute();
  });
}

async function recordFailure(
  deps: EInvoicingWorkerDeps,
  row: EInvoiceRow,
  code: string,
  now: Date,
): Promise<void> {
  const attempts = row.attempts + 1;
  await settle(
    deps,
    row,
    {
      attempts,
      last_error: code,
      next_check_at: new Date(now.getTime() + doublingBackoffMs(attempts, MAX_BACKOFF_MS)),
    },
    now,
  );
  if (attempts === MANUAL_AFTER_ATTEMPTS)
    await leaveManualTask(deps, row, 'einvoicing.pdf', code, now);
}

/**
 * The e-invoicing job (see the module header); resolves to how many e-invoices it worked on.
 *
 * @example
 * const jobs: BusJob[] = [eInvoicingJob({ db, einvoicing, storage, manualTasks, logger })];
 */
export function eInvoicingJob(deps: EInvoicingWorkerDeps) {
  return async (now: Date): Promise<number> => {
    const due = await leaseDue(deps.db, 'e_invoices', now, { batch: BATCH, leaseMs: LEASE_MS });
    for (const row of due) {
      const einvoicing = deps.einvoicing;
      const operation = row.pending_action === 'fetch_pdf' ? 'einvoicing.pdf' : 'einvoicing.submit';
      try {
        if (!einvoicing) {
          if (operation === 'einvoicing.submit')
            await toManual(deps, row, 'einvoicing_provider_not_configured', now);
          else {
            await leaveManualTask(deps, row, operation, 'einvoicing_provider_not_configured', now);
            await settle(
              deps,
              row,
              {
                pending_action: null,
                next_check_at: null,
                last_error: 'einvoicing_provider_not_configured',
              },
              now,
            );
          }
        } else if (operation === 'einvoicing.submit') await submit(deps, einvoicing, row, now);
        else await keepPdf(deps, einvoicing, row, now);
      } catch (error) {
        if (isProviderError(error)) {
          // A refusal of the submission will not change on retry: the operators take it.
          if (operation === 'einvoicing.submit' && !error.transient)
            await toManual(deps, row, error.code, now);
          else await recordFailure(deps, row, error.code, now);
        } else
          deps.logger.error(
            { err: error, eInvoiceId: row.id },
            'e-invoicing job failed on an e-invoice',
          );
      }
    }
    return due.length;
  };
}
