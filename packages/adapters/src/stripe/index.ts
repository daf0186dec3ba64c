/**
 * @clinicbridge/adapters/stripe — `PaymentGateway`, `EscrowAccount` and
 * `SubscriptionBilling` on Stripe (PaymentIntents, Refunds, balance transactions, Connect transfers).
 */
export { createStripeClient, type StripeOptions } from './client.ts';
export { mapStripeError } from './errors.ts';
export { createStripeEscrow } from './escrow.ts';
export { createStripeGateway } from './gateway.ts';
export { createStripeSubscriptions, readStripeSubscriptionEvent } from './subscriptions.ts';
export {
  readStripeGatewayEvent,
  readStripePaymentEvent,
  readStripeRefundEvent,
  type StripePaymentOutcome,
} from './webhook.ts';
