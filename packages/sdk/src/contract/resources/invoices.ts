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
 * Operations on invoices.
 *
 * @example
 * invoiceOperations.get.scope; // 'read:invoices'
 */
export const invoiceOperations = {
  create: invoicesCreate,
  get: invoicesGet,
  list: invoicesList,
} as const;
