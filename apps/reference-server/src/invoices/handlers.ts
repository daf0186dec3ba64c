/** Handlers of `invoices.*`. */
import { operations } from '@clinicbridge/sdk/contract';
import { changeOf, defineHandlers } from '../kernel/handlers.ts';
import { issueInvoice, listInvoices, requireInvoice, toInvoice } from './service.ts';

/**
 * Handlers for `invoices.*`.
 *
 * @example
 * registerOperations(app, deps, invoiceHandlers);
 */
export const invoiceHandlers = defineHandlers(operations.invoices, {
  create: (ctx) => issueInvoice(ctx.db, changeOf(ctx), ctx.body),
  get: async (ctx) =>
    toInvoice(await requireInvoice(ctx.db, ctx.auth.tenantId, ctx.params.invoiceId)),
  list: (ctx) => listInvoices(ctx.db, ctx.auth.tenantId, ctx.query),
});
