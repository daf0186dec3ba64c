/**
 * The claim-ready itemised invoice of a claim — what a self-pay patient
 * (or one whose eligibility failed) takes to the insurer — as a FHIR R4
 * `Claim` or CSV, built by the contract's export functions from the
 * invoice's lines, so the server and the fake API export the same bytes.
 */
import { itemisedInvoiceCsv, itemisedInvoiceFhirClaim } from '@clinicbridge/sdk/contract';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { requireInvoice, toInvoice } from '../invoices/service.ts';
import { getClaim } from './service.ts';

/**
 * The export of a claim in `format`.
 *
 * @example
 * const { content } = await itemisedInvoice(db, tenantId, 'clm_…', 'csv');
 */
export async function itemisedInvoice(
  db: Kysely<DB>,
  tenantId: string,
  claimId: string,
  format: 'fhir' | 'csv' = 'fhir',
) {
  const claim = await getClaim(db, tenantId, claimId);
  const invoice = toInvoice(await requireInvoice(db, tenantId, claim.invoiceId));
  if (format === 'csv') {
    return {
      format,
      contentType: 'text/csv; charset=utf-8',
      filename: `${claim.id}-itemised.csv`,
      content: itemisedInvoiceCsv(claim, invoice),
    };
  }
  return {
    format,
    contentType: 'application/fhir+json',
    filename: `${claim.id}-claim.json`,
    content: JSON.stringify(itemisedInvoiceFhirClaim(claim, invoice, tenantId, claim.createdAt)),
  };
}
