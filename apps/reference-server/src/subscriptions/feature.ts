/**
 * The subscriptions feature: a patient's recurring plan billed by Stripe or
 * Razorpay through the `SubscriptionBilling` port (`subscriptions.*`). The
 * gateways' webhooks reach it through the inbound feature
 * (`/webhooks/payments`, `/webhooks/razorpay`): a paid period posts to the
 * ledger once, a failed one posts nothing (`./settle.ts`).
 * docs/money.md describes the flow.
 */
import type { Feature } from '../feature.ts';
import { subscriptionHandlers } from './handlers.ts';
import { subscriptionMigrations } from './migrations.ts';

/**
 * The subscriptions feature (needs the money feature's tables).
 *
 * @example
 * const features: Feature[] = [...resourceFeatures, moneyFeature, subscriptionsFeature];
 */
export const subscriptionsFeature: Feature = {
  name: 'subscriptions',
  tables: ['subscriptions', 'subscription_charges'],
  migrations: subscriptionMigrations,
  // Read when a request runs: handlers are also built on stand-in contexts without providers.
  handlers: (context) => subscriptionHandlers(() => context.providers?.subscriptionBilling ?? {}),
};
