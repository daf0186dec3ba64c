/**
 * Invoices: lines priced in minor units of one currency, with totals, the
 * amount paid and the balance still due. Totals are computed by the server.
 */
import * as z from 'zod/mini';
import {
  currency,
  dateInput,
  listQuery,
  money,
  moneyInput,
  page,
  text,
  timestamp,
} from '../common.ts';
import { idSchema } from '../ids.ts';
import { defineOperation } from '../operation.ts';

/**
 * Status of an invoice: `open` while a balance is due, `paid` at zero balance.
 *
 * @example
 * invoiceStatus.parse('paid');
 */
export const invoiceStatus = z.enum(['open', 'paid', 'void']);

/**
 * One priced line of an invoice.
 *
 * @example
 * const line = invoiceLine.parse(body.lines[0]);
 */
export const invoiceLine = z.object({
  description: z.string(),
  quantity: z.int(),
  unitPrice: money,
  /** Tax rate in basis points (1800 = 18%). */
  taxRateBps: z.int(),
  /** quantity × unit price, before tax. */
  subtotal: money,
  tax: money,
  total: money,
});

/**
 * An invoice.
 *
 * @example
 * const { balance } = invoice.parse(await res.json());
 */
export const invoice = z.object({
  id: idSchema('inv'),
  patientId: idSchema('pat'),
  visitId: z.nullable(idSchema('vis')),
  status: invoiceStatus,
  currency,
  lines: z.array(invoiceLine),
  subtotal: money,
  tax: money,
  total: money,
  amountPaid: money,
  amountRefunded: money,
  /** total − amountPaid. A refund is recorded in amountRefunded and does not reopen the balance. */
  balance: money,
  dueDate: z.nullable(z.iso.date()),
  createdAt: timestamp,
  updatedAt: timestamp,
});

const lineInput = z.strictObject({
  description: text(300),
  quantity: z.int().check(z.gte(1), z.lte(10_000)),
  unitPrice: moneyInput,
  taxRateBps: z.optional(z.int().check(z.gte(0), z.lte(10_000))),
});

/**
 * Tax of one line in minor units, rounded half up: the rule both the server
 * and the fake API use, so totals agree to the cent.
 *
 * @example
 * lineTax(1000, 1800); // 180
 */
export function lineTax(subtotal: number, taxRateBps: number): number {
  return Math.floor((subtotal * taxRateBps + 5_000) / 10_000);
}

/**
 * Issue an invoice (`invoices.create`).
 *
 * @example
 * await client.request(invoicesCreate, ...args); // same arguments as client.invoices.create
 */
export const invoicesCreate = defineOperation({
  id: 'invoices.create',
  method: 'POST',
  path: '/api/v1/invoices',
  summary: 'Issue an invoice',
  scope: 'write:invoices',
  write: true,
  status: 201,
  body: z
    .strictObject({
      patientId: idSchema('pat'),
      visitId: z.optional(idSchema('vis')),
      currency,
      lines: z.array(lineInput).check(z.minLength(1), z.maxLength(200)),
      dueDate: z.optional(dateInput),
    })
    .check(
      z.refine((v) => v.lines.every((l) => l.unitPrice.currency === v.currency), {
        message: 'every line must be priced in the invoice currency',
        path: ['lines'],
      }),
    ),
  response: invoice,
});

/**
 * Get an invoice with its totals and balance (`invoices.get`).
 *
 * @example
 * await client.request(invoicesGet, ...args); // same arguments as client.invoices.get
 */
export const invoicesGet = defineOperation({
  id: 'invoices.get',
  method: 'GET',
  path: '/api/v1/invoices/{invoiceId}',
  summary: 'Get an invoice with its totals and balance',
  scope: 'read:invoices',
  write: false,
  status: 200,
  params: z.strictObject({ invoiceId: idSchema('inv') }),
  response: invoice,
});

/**
 * List invoices (`invoices.list`).
 *
 * @example
 * await client.request(invoicesList, ...args); // same arguments as client.invoices.list
 */
export const invoicesList = defineOperation({
  id: 'invoices.list',
  method: 'GET',
  path: '/api/v1/invoices',
  summary: 'List invoices',
  scope: 'read:invoices',
  write: false,
  status: 200,
  paginated: true,
  query: listQuery({
    patientId: z.optional(idSchema('pat')),
    status: z.optional(invoiceStatus),
  }),
  response: page(invoice),
});

/**
 * Status of an invoice's Turkish e-Fatura: `pending` (to be submitted),
 * `queued` (with the integrator, awaiting GİB), `approved`, `rejected`, or
 * `manual` (the operators carry it: no integrator, or it could not take it).
 *
 * @example
 * eInvoiceStatus.parse('queued');
 */
export const eInvoiceStatus = z.enum(['pending', 'queued', 'approved', 'rejected', 'manual']);

/**
 * An invoice's e-invoice: its ETTN (the UUID GİB knows it by), where it
 * stands, GİB's reason code for a rejection, and where its PDF is kept once
 * approved. The buyer's tax number is never returned.
 *
 * @example
 * const e = eInvoice.parse(await res.json()); console.log(e.ettn, e.status);
 */
export const eInvoice = z.object({
  id: idSchema('ein'),
  invoiceId: idSchema('inv'),
  ettn: z.string(),
  status: eInvoiceStatus,
  /** GİB's or the integrator's code for a rejection (never its message). */
  reasonCode: z.nullable(z.string()),
  /** `invoices/{ettn}.pdf` once approved and kept (ten-year retention). */
  pdfKey: z.nullable(z.string()),
  /** The last failure talking to the integrator, if any (a code). */
  lastError: z.nullable(z.string()),
  createdAt: timestamp,
  updatedAt: timestamp,
});

const invoiceParams = z.strictObject({ invoiceId: idSchema('inv') });

/**
 * Queue an invoice for Turkish e-Fatura with the integrator
 * (`invoices.queueEInvoice`). Idempotent per invoice: a repeat returns the
 * same e-invoice (same ETTN). A void invoice is refused (409).
 *
 * @example
 * await client.request(invoicesQueueEInvoice, ...args); // same arguments as client.invoices.queueEInvoice
 */
export const invoicesQueueEInvoice = defineOperation({
  id: 'invoices.queueEInvoice',
  method: 'POST',
  path: '/api/v1/invoices/{invoiceId}/e-invoice',
  summary: 'Queue an invoice for e-Fatura with the integrator',
  scope: 'write:invoices',
  write: true,
  status: 202,
  params: invoiceParams,
  body: z.strictObject({
    /** The buyer's VKN (10 digits) or TCKN (11 digits); stored encrypted, never returned. */
    buyerTaxId: z
      .string()
      .check(z.regex(/^\d{10,11}$/, 'must be a VKN (10 digits) or a TCKN (11 digits)')),
  }),
  response: eInvoice,
});

/**
 * Get an invoice's e-invoice (`invoices.getEInvoice`); 404 when it was never queued.
 *
 * @example
 * await client.request(invoicesGetEInvoice, ...args); // same arguments as client.invoices.getEInvoice
 */
export const invoicesGetEInvoice = defineOperation({
  id: 'invoices.getEInvoice',
  method: 'GET',
  path: '/api/v1/invoices/{invoiceId}/e-invoice',
  summary: "Get an invoice's e-invoice",
  scope: 'read:invoices',
  write: false,
  status: 200,
  params: invoiceParams,
  response: eInvoice,
});

/**
 * Operations on invoices.
 *
 * @example
 * invoiceOperations.get.scope; // 'read:invoices'
 */
export const invoiceOperations = {
  create: invoicesCreate,
  get: invoicesGet,
  list: invoicesList,
  queueEInvoice: invoicesQueueEInvoice,
  getEInvoice: invoicesGetEInvoice,
} as const;
