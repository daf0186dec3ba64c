/**
 * The checkout feature: paying invoices through the configured gateway
 * (`checkouts.*`). The gateways' webhooks settle checkouts through the
 * inbound feature (`/webhooks/payments`, `/webhooks/razorpay`,
 * `/webhooks/iyzico`); the ledger and escrows are the money feature's.
 * docs/money.md describes the flow.
 */
import type { Feature } from '../feature.ts';
import { checkoutHandlers } from './handlers.ts';
import { checkoutMigrations } from './migrations.ts';

/**
 * The checkout feature (needs the money feature's tables).
 *
 * @example
 * const features: Feature[] = [...resourceFeatures, moneyFeature, checkoutFeature];
 */
export const checkoutFeature: Feature = {
  name: 'checkout',
  tables: ['checkouts'],
  migrations: checkoutMigrations,
  // Read when a request runs: handlers are also built on stand-in contexts without providers.
  handlers: (context) => checkoutHandlers(() => context.providers?.payments ?? {}),
};
