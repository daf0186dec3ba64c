/**
 * The e-invoicing feature: Turkish e-Fatura for invoices. An invoice is
 * queued (`POST /api/v1/invoices/{invoiceId}/e-invoice`, idempotent per
 * invoice, under an ETTN generated here) and read back (`GET` there); the
 * background job submits it to the integrator (or to the operators as a
 * manual task), the integrator's status webhook (`/webhooks/efatura`, see
 * ./inbound.ts) records GİB's answer, and an approved invoice's PDF is kept
 * at `invoices/{ettn}.pdf` under a ten-year retention.
 */
import type { Feature } from '../feature.ts';
import { eInvoiceHandlers } from './handlers.ts';
import { eInvoicingMigrations } from './migrations.ts';
import { eInvoicingJob } from './worker.ts';

/**
 * The e-invoicing feature.
 *
 * @example
 * const features: Feature[] = [...resourceFeatures, storageFeature, eInvoicingFeature];
 */
export const eInvoicingFeature: Feature = {
  name: 'einvoicing',
  tables: ['e_invoices'],
  migrations: eInvoicingMigrations,
  handlers: (context) => eInvoiceHandlers(context.wake),
  jobs: (context) => [
    eInvoicingJob({
      db: context.db,
      einvoicing: context.providers.einvoicing,
      storage: context.providers.storage,
      manualTasks: context.providers.manualTasks,
      logger: context.logger,
    }),
  ],
};
