/** The payments feature: payments and refunds recorded against invoices (`payments.*`, `refunds.*`). */
import type { Feature } from '../feature.ts';
import { paymentHandlers, refundHandlers } from './handlers.ts';

/**
 * The payments feature (its tables come from the core migration, `0001-core`).
 *
 * @example
 * const features: Feature[] = [paymentsFeature];
 */
export const paymentsFeature: Feature = {
  name: 'payments',
  tables: ['payments', 'refunds'],
  handlers: { ...paymentHandlers, ...refundHandlers },
};
