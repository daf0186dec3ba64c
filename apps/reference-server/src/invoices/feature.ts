/** The invoices feature: invoices (`invoices.*`). */
import type { Feature } from '../feature.ts';
import { invoiceHandlers } from './handlers.ts';

/**
 * The invoices feature (its table comes from the core migration, `0001-core`).
 *
 * @example
 * const features: Feature[] = [invoicesFeature];
 */
export const invoicesFeature: Feature = {
  name: 'invoices',
  tables: ['invoices'],
  handlers: invoiceHandlers,
};
