/**
 * @clinicbridge/adapters/efatura-rest — `EInvoicing` on a generic e-Fatura
 * integrator REST API, the shape most Turkish private integrators expose
 * around GİB's UBL-TR service:
 *
 * - `POST /v1/invoices` (bearer API key, `Idempotency-Key`) with
 *   `{ ettn, reference, profile: 'TEMELFATURA', issue_date, currency,
 *   buyer: { tax_id }, lines: [{ name, quantity, unit_price, vat_rate }] }`
 *   → `202 { ettn, status: 'QUEUED' }`; the integrator builds and signs the
 *   UBL-TR document and files it with GİB;
 * - `GET /v1/invoices/{ettn}` → `{ ettn, status, reason_code }` with status
 *   `QUEUED`, `SENT` (with GİB, undecided), `APPROVED` or `REJECTED`;
 * - `GET /v1/invoices/{ettn}/pdf` → `{ ettn, content_type, content_base64 }`,
 *   409 `NOT_APPROVED` before approval.
 *
 * Runs on the resilience core (timeouts, retries of transient failures with
 * the write's idempotency key kept, a breaker). A submission the integrator
 * cannot take becomes a manual task of kind `einvoicing`.
 */
import { z } from 'zod';
import { type AdapterOptions, pickAdapterOptions, segment } from '../core/adapter-options.ts';
import { bearerAuth } from '../core/auth.ts';
import { createProviderClient } from '../core/client.ts';
import { ProviderError } from '../core/errors.ts';
import { type ManualTaskSink, withManualFallback } from '../core/manual-tasks.ts';
import {
  type EInvoiceState,
  type EInvoiceSubmission,
  EInvoiceSubmissionSchema,
  type EInvoiceSubmitResult,
  type EInvoicing,
  EttnSchema,
} from '../ports/einvoicing.ts';
import { parseInput } from '../ports/validate.ts';
import { mapEFaturaError } from './errors.ts';

export { mapEFaturaError } from './errors.ts';

/**
 * Integrator settings.
 *
 * @example
 * const options: EFaturaRestOptions = { apiKey: process.env.EFATURA_API_KEY!, baseUrl: 'https://api.efatura-integrator.example', sink };
 */
export interface EFaturaRestOptions extends AdapterOptions {
  apiKey: string;
  /** Where invoices the integrator cannot take go. */
  sink: ManualTaskSink;
  /** Label in metrics, errors and manual tasks. Default `efatura-rest`. */
  provider?: string;
}

const STATES: Record<string, EInvoiceState> = {
  QUEUED: 'queued',
  SENT: 'queued',
  APPROVED: 'approved',
  REJECTED: 'rejected',
};

const WireInvoice = z.object({
  ettn: z.string().min(1),
  status: z.string(),
  reason_code: z.string().max(64).nullable().optional(),
});

const WirePdf = z.object({
  ettn: z.string().min(1),
  content_type: z.literal('application/pdf'),
  content_base64: z.base64().max(14_000_000),
});

// An unknown integrator status is still with GİB.
const toState = (status: string): EInvoiceState => STATES[status] ?? 'queued';

function wireInvoice(input: EInvoiceSubmission) {
  return {
    ettn: input.ettn,
    reference: input.invoiceRef,
    profile: 'TEMELFATURA',
    issue_date: input.issueDate,
    currency: input.currency,
    buyer: { tax_id: input.buyerTaxId },
    lines: input.lines.map((line) => ({
      name: line.label,
      quantity: line.quantity,
      unit_price: line.unitPriceMinor,
      vat_rate: line.vatRatePercent,
    })),
  };
}

/**
 * Creates the e-Fatura integrator adapter.
 *
 * @example
 * const einvoicing = createEFaturaRestInvoicing({ apiKey, baseUrl, sink });
 * const result = await einvoicing.submit(submission);
 */
export function createEFaturaRestInvoicing(options: EFaturaRestOptions): EInvoicing {
  const provider = options.provider ?? 'efatura-rest';
  const client = createProviderClient({
    provider,
    baseUrl: options.baseUrl ?? 'https://api.efatura-integrator.example',
    auth: bearerAuth(options.apiKey),
    idempotencyHeader: 'Idempotency-Key',
    mapError: mapEFaturaError,
    ...pickAdapterOptions(options),
  });
  const ettnOf = (input: { ettn: string }, operation: string) =>
    parseInput(z.object({ ettn: EttnSchema }), input, provider, operation).ettn;

  return {
    provider,
    async submit(raw) {
      const input = parseInput(EInvoiceSubmissionSchema, raw, provider, 'einvoicing.submit');
      return withManualFallback(
        {
          sink: options.sink,
          task: {
            kind: 'einvoicing',
            provider,
            operation: 'einvoicing.submit',
            subjectRef: input.invoiceRef,
            summary: `File e-invoice ${input.invoiceRef} (ETTN ${input.ettn}, ${input.lines.length} lines, ${input.currency}) with the integrator by hand.`,
            details: { ettn: input.ettn, lines: input.lines.length },
          },
        },
        async (): Promise<EInvoiceSubmitResult> => {
          const body = await client.json({
            operation: 'einvoicing.submit',
            method: 'post',
            path: '/v1/invoices',
            json: wireInvoice(input),
            idempotencyKey: `efatura:${input.ettn}`,
            schema: WireInvoice,
          });
          return { status: 'queued', ettn: body.ettn, state: toState(body.status) };
        },
        (task) => ({ status: 'manual', manualTaskId: task.id }),
      );
    },
    async status(input) {
      const ettn = ettnOf(input, 'einvoicing.status');
      const body = await client.json({
        operation: 'einvoicing.status',
        path: `/v1/invoices/${segment(ettn)}`,
        schema: WireInvoice,
      });
      return { ettn: body.ettn, state: toState(body.status), reasonCode: body.reason_code ?? null };
    },
    async pdf(input) {
      const ettn = ettnOf(input, 'einvoicing.pdf');
      const body = await client.json({
        operation: 'einvoicing.pdf',
        path: `/v1/invoices/${segment(ettn)}/pdf`,
        schema: WirePdf,
      });
      if (body.ettn !== ettn)
        throw new ProviderError({
          code: 'provider_unavailable',
          provider,
          operation: 'einvoicing.pdf',
          message: 'The integrator answered with another invoice’s PDF.',
        });
      return {
        ettn,
        contentType: 'application/pdf',
        bytes: new Uint8Array(Buffer.from(body.content_base64, 'base64')),
      };
    },
  };
}
