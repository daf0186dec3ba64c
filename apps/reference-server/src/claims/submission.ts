/**
 * What the payer receives for a claim: the member, the diagnoses, one item
 * per invoice line (and one per line's tax, so the items add up to the
 * invoice total the claim is for), and the supporting documents. Items are
 * identified by opaque line codes, never by the lines' descriptions.
 */
import type { ClaimSubmission } from '@clinicbridge/adapters';
import type { Kysely } from 'kysely';
import type { DB, Row } from '../db/schema.ts';
import { requireInvoice } from '../invoices/service.ts';
import { claimDocumentsWithData } from './service.ts';

/**
 * The code system of invoice-line items in submissions.
 *
 * @example
 * { system: INVOICE_LINE_SYSTEM, code: 'line-1' }
 */
export const INVOICE_LINE_SYSTEM = 'https://clinicbridge.dev/fhir/CodeSystem/invoice-line';

/**
 * The submission of a claim row.
 *
 * @example
 * const submission = await claimSubmission(db, row);
 */
export async function claimSubmission(
  db: Kysely<DB>,
  row: Row<'claims'>,
): Promise<ClaimSubmission> {
  const invoice = await requireInvoice(db, row.tenant_id, row.invoice_id);
  const documents = await claimDocumentsWithData(db, row.tenant_id, row.id);
  const items: ClaimSubmission['items'] = [];
  invoice.lines.forEach((line, i) => {
    const code = `line-${i + 1}`;
    if (line.unitPrice > 0) {
      items.push({
        service: { system: INVOICE_LINE_SYSTEM, code },
        quantity: line.quantity,
        unitPrice: { amountMinor: line.unitPrice, currency: invoice.currency },
      });
    }
    if (line.tax > 0) {
      items.push({
        service: { system: INVOICE_LINE_SYSTEM, code: `${code}-tax` },
        quantity: 1,
        unitPrice: { amountMinor: line.tax, currency: invoice.currency },
      });
    }
  });
  return {
    claimRef: row.id,
    member: { payerRef: row.payer_ref, memberId: row.member_id },
    patientRef: row.patient_id,
    ...(row.preauthorization_ref ? { preAuthorizationRef: row.preauthorization_ref } : {}),
    diagnoses: row.diagnoses,
    items,
    documents: documents.map((d) => ({
      kind: d.kind,
      contentType: d.content_type,
      title: d.title,
      data: d.data,
    })),
  };
}
