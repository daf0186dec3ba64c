/** Handlers of `invoices.queueEInvoice` and `invoices.getEInvoice`. */
import { operations } from '@clinicbridge/sdk/contract';
import { changeOf, defineHandlers } from '../kernel/handlers.ts';
import { getEInvoice, queueEInvoice, toEInvoice } from './service.ts';

/**
 * Handlers for the e-invoice operations of invoices; `wake` nudges the
 * scheduler after a queue, so the job submits without waiting for its next poll.
 *
 * @example
 * const handlers = eInvoiceHandlers(context.wake);
 */
export function eInvoiceHandlers(wake: () => void) {
  return defineHandlers(operations.invoices, {
    queueEInvoice: async (ctx) => {
      const row = await queueEInvoice(ctx.db, changeOf(ctx), {
        invoiceId: ctx.params.invoiceId,
        buyerTaxId: ctx.body.buyerTaxId,
      });
      // After the response's transaction commits; the scheduler also polls.
      setTimeout(wake, 10).unref?.();
      return toEInvoice(row);
    },
    getEInvoice: (ctx) => getEInvoice(ctx.db, ctx.auth.tenantId, ctx.params.invoiceId),
  });
}
