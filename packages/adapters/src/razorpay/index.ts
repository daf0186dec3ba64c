/**
 * @clinicbridge/adapters/razorpay — `PaymentGateway` on Razorpay (UPI and
 * cards): Orders, Payments capture and refund, settlement lines; and
 * `SubscriptionBilling` on Razorpay Subscriptions.
 */
export { mapRazorpayError } from './errors.ts';
export { createRazorpayGateway, type RazorpayOptions } from './gateway.ts';
export {
  createRazorpaySubscriptions,
  readRazorpaySubscriptionEvent,
} from './subscriptions.ts';
export { readRazorpayPaymentEvent, readRazorpayRefundEvent } from './webhook.ts';
