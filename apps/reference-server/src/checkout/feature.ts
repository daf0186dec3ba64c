/**
 * The checkout feature: paying invoices through the configured gateway
 * (`checkouts.*`). The gateways' webhooks settle checkouts through the
 * inbound feature (`/webhooks/payments`, `/webhooks/razorpay`,
 * `/webhooks/iyzico`); the ledger and escrows are the money feature's. A
 * job closes checkouts left pending past `CHECKOUT_EXPIRY`.
 * docs/money.md describes the flow.
 */
import { type Feature, readSection } from '../feature.ts';
import { checkoutConfig } from './config.ts';
import { checkoutExpiryJob } from './expiry.ts';
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
  tables: ['checkouts', 'checkout_refunds'],
  migrations: checkoutMigrations,
  config: checkoutConfig,
  // Read when a request runs: handlers are also built on stand-in contexts without providers.
  handlers: (context) => checkoutHandlers(() => context.providers?.payments ?? {}),
  jobs: (context) => [
    checkoutExpiryJob(
      context.db,
      readSection(context.config, checkoutConfig).CHECKOUT_EXPIRY,
      context.logger,
    ),
  ],
};
