/**
 * The `EInvoicing` port: an invoice handed to a Turkish e-Fatura integrator
 * (an "özel entegratör" licensed by the Revenue Administration, GİB), which
 * signs it, files it with GİB and delivers it to the buyer. Every invoice is
 * identified by its ETTN (Evrensel Tekil Tanımlama Numarası): a version-4
 * UUID the issuer generates once and keeps for the invoice's life (it is the
 * UBL-TR `cbc:UUID`), so a repeated submission with the same ETTN is the same
 * invoice. GİB answers asynchronously — approved or rejected — and the signed
 * invoice's PDF is fetched once approved. Only references, the buyer's tax
 * number, amounts in minor units and line labels leave the platform; no
 * clinical detail goes on an invoice line.
 */
import { z } from 'zod';
import { ReferenceSchema } from './common.ts';

/**
 * An ETTN: a lowercase version-4 UUID.
 *
 * @example
 * EttnSchema.parse('3f1c2b9e-8a47-4c1d-9b6e-2f0a5d7c8e91');
 */
export const EttnSchema = z
  .string()
  .regex(
    /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    'a lowercase version-4 UUID',
  );

/**
 * Where an e-invoice stands with GİB.
 *
 * @example
 * EInvoiceStateSchema.parse('approved');
 */
export const EInvoiceStateSchema = z.enum(['queued', 'approved', 'rejected']);

/**
 * An e-invoice state.
 *
 * @example
 * const state: EInvoiceState = 'queued';
 */
export type EInvoiceState = z.infer<typeof EInvoiceStateSchema>;

/**
 * An invoice as the integrator receives it. The buyer is named by tax number
 * only: a VKN (10 digits, companies) or a TCKN (11 digits, persons).
 *
 * @example
 * EInvoiceSubmissionSchema.parse({ invoiceRef: 'inv_1', ettn, issueDate: '2026-12-01', currency: 'TRY', buyerTaxId: '1234567890', lines: [{ label: 'Consultation', quantity: 1, unitPriceMinor: 150000, vatRatePercent: 10 }] });
 */
export const EInvoiceSubmissionSchema = z.strictObject({
  invoiceRef: ReferenceSchema,
  ettn: EttnSchema,
  issueDate: z.iso.date(),
  currency: z.string().regex(/^[A-Z]{3}$/, 'ISO 4217 currency code'),
  buyerTaxId: z.string().regex(/^\d{10,11}$/, 'VKN (10 digits) or TCKN (11 digits)'),
  lines: z
    .array(
      z.strictObject({
        label: z.string().min(1).max(120),
        quantity: z.int().min(1).max(10_000),
        /** Unit price before VAT, in minor units. */
        unitPriceMinor: z.int().min(0).max(1_000_000_000_00),
        vatRatePercent: z.union([z.literal(0), z.literal(1), z.literal(10), z.literal(20)]),
      }),
    )
    .min(1)
    .max(100),
});

/**
 * Input of {@link EInvoicing.submit}.
 *
 * @example
 * const submission: EInvoiceSubmission = { invoiceRef: 'inv_1', ettn, issueDate: '2026-12-01', currency: 'TRY', buyerTaxId: '1234567890', lines };
 */
export type EInvoiceSubmission = z.infer<typeof EInvoiceSubmissionSchema>;

/**
 * The outcome of a submission: queued with the integrator, or a manual task
 * when it was unavailable.
 *
 * @example
 * if (result.status === 'manual') ops.notify(result.manualTaskId);
 */
export type EInvoiceSubmitResult =
  | { status: 'queued'; ettn: string; state: EInvoiceState }
  | { status: 'manual'; manualTaskId: string };

/**
 * What the integrator says about an invoice now. `reasonCode` is GİB's or
 * the integrator's code for a rejection (a code, never free text).
 *
 * @example
 * if (status.state === 'rejected') console.log(status.reasonCode);
 */
export interface EInvoiceStatus {
  ettn: string;
  state: EInvoiceState;
  reasonCode: string | null;
}

/**
 * The signed invoice as a PDF.
 *
 * @example
 * await storage.put({ key: `invoices/${pdf.ettn}.pdf`, body: pdf.bytes, contentType: 'application/pdf' });
 */
export interface EInvoicePdf {
  ettn: string;
  contentType: 'application/pdf';
  bytes: Uint8Array;
}

/**
 * An e-Fatura integrator.
 *
 * @example
 * const result = await einvoicing.submit(submission);
 * const status = await einvoicing.status({ ettn: submission.ettn });
 */
export interface EInvoicing {
  readonly provider: string;
  /** Queues an invoice (idempotent on its ETTN). */
  submit(submission: EInvoiceSubmission): Promise<EInvoiceSubmitResult>;
  status(input: { ettn: string }): Promise<EInvoiceStatus>;
  /** The signed PDF; `conflict` until GİB approved the invoice. */
  pdf(input: { ettn: string }): Promise<EInvoicePdf>;
}
