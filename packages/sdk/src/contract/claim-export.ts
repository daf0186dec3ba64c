/**
 * The claim-ready itemised invoice of a claim, as CSV or as a FHIR R4
 * `Claim`, built by one set of functions so the server and the fake API
 * export the same bytes. Amounts are written as decimals in the currency's
 * exponent (`1000.50`), computed from integer minor units; CSV cells that
 * a spreadsheet would run as a formula are prefixed with `'`.
 */
import type * as z from 'zod/mini';
import type { claim } from './resources/claims.ts';
import type { invoice } from './resources/invoices.ts';

type ClaimView = z.infer<typeof claim>;
type InvoiceView = z.infer<typeof invoice>;

/**
 * Identifier systems of the exported Claim.
 *
 * @example
 * CLAIM_EXPORT_SYSTEMS.claim; // 'https://clinicbridge.dev/fhir/sid/claim-id'
 */
export const CLAIM_EXPORT_SYSTEMS = {
  claim: 'https://clinicbridge.dev/fhir/sid/claim-id',
  invoice: 'https://clinicbridge.dev/fhir/sid/invoice-id',
  payer: 'https://clinicbridge.dev/fhir/sid/payer-id',
  member: 'https://clinicbridge.dev/fhir/sid/member-id',
  tenant: 'https://clinicbridge.dev/fhir/sid/tenant-id',
} as const;

/**
 * Minor units as a decimal string in the currency's exponent.
 *
 * @example
 * decimalAmount(100050, 'EUR'); // '1000.50'
 * decimalAmount(1005, 'JPY'); // '1005'
 */
export function decimalAmount(minor: number, currency: string): string {
  const digits =
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
      .maximumFractionDigits ?? 2;
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  if (digits === 0) return `${sign}${abs}`;
  const scale = 10 ** digits;
  return `${sign}${Math.floor(abs / scale)}.${String(abs % scale).padStart(digits, '0')}`;
}

function cell(value: string | number): string {
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The itemised invoice as CSV: one row per line, then a total row.
 *
 * @example
 * const csv = itemisedInvoiceCsv(claim, invoice);
 */
export function itemisedInvoiceCsv(claimView: ClaimView, invoiceView: InvoiceView): string {
  const money = (minor: number) => decimalAmount(minor, invoiceView.currency);
  const rows: (string | number)[][] = [
    [
      'claim_id',
      'invoice_id',
      'line',
      'description',
      'quantity',
      'unit_price',
      'tax_rate_bps',
      'subtotal',
      'tax',
      'total',
      'currency',
    ],
    ...invoiceView.lines.map((line, i) => [
      claimView.id,
      invoiceView.id,
      i + 1,
      line.description,
      line.quantity,
      money(line.unitPrice.amount),
      line.taxRateBps,
      money(line.subtotal.amount),
      money(line.tax.amount),
      money(line.total.amount),
      invoiceView.currency,
    ]),
    [
      claimView.id,
      invoiceView.id,
      'total',
      '',
      '',
      '',
      '',
      money(invoiceView.subtotal.amount),
      money(invoiceView.tax.amount),
      money(invoiceView.total.amount),
      invoiceView.currency,
    ],
  ];
  return `${rows.map((row) => row.map(cell).join(',')).join('\r\n')}\r\n`;
}

/**
 * The itemised invoice as a FHIR R4 `Claim` (use `claim`): every invoice
 * line an item whose `net` is the line total with tax, the invoice total
 * as `total`, the payer and member as identifiers.
 *
 * @example
 * const resource = itemisedInvoiceFhirClaim(claim, invoice, 'ten_…', '2026-12-01T00:00:00Z');
 */
export function itemisedInvoiceFhirClaim(
  claimView: ClaimView,
  invoiceView: InvoiceView,
  tenantId: string,
  created: string,
): Record<string, unknown> {
  const money = (minor: number) => ({
    value: Number(decimalAmount(minor, invoiceView.currency)),
    currency: invoiceView.currency,
  });
  return {
    resourceType: 'Claim',
    identifier: [
      { system: CLAIM_EXPORT_SYSTEMS.claim, value: claimView.id },
      { system: CLAIM_EXPORT_SYSTEMS.invoice, value: invoiceView.id },
    ],
    status: 'active',
    type: {
      coding: [
        { system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'institutional' },
      ],
    },
    use: 'claim',
    patient: { reference: `Patient/${claimView.patientId.replace('_', '-')}` },
    created,
    insurer: {
      identifier: { system: CLAIM_EXPORT_SYSTEMS.payer, value: claimView.payer.payerRef },
    },
    provider: { identifier: { system: CLAIM_EXPORT_SYSTEMS.tenant, value: tenantId } },
    priority: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/processpriority', code: 'normal' }],
    },
    ...(claimView.diagnoses.length > 0
      ? {
          diagnosis: claimView.diagnoses.map((coding, i) => ({
            sequence: i + 1,
            diagnosisCodeableConcept: { coding: [{ system: coding.system, code: coding.code }] },
          })),
        }
      : {}),
    insurance: [
      {
        sequence: 1,
        focal: true,
        coverage: {
          identifier: { system: CLAIM_EXPORT_SYSTEMS.member, value: claimView.payer.memberId },
        },
        ...(claimView.preauthorizationRef ? { preAuthRef: [claimView.preauthorizationRef] } : {}),
      },
    ],
    item: invoiceView.lines.map((line, i) => ({
      sequence: i + 1,
      productOrService: { text: line.description },
      quantity: { value: line.quantity },
      unitPrice: money(line.unitPrice.amount),
      net: money(line.total.amount),
    })),
    total: money(invoiceView.total.amount),
  };
}
