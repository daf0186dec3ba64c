/**
 * @clinicbridge/adapters/razorpay — `PaymentGateway` on Razorpay (UPI and
 * cards): Orders, Payments capture and refund, settlement lines.
 */
export { mapRazorpayError } from './errors.ts';
export { createRazorpayGateway, type RazorpayOptions } from './gateway.ts';
export { readRazorpayPaymentEvent, readRazorpayRefundEvent } from './webhook.ts';
