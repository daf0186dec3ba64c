/**
 * @clinicbridge/adapters/iyzico — `PaymentGateway` on iyzico (Turkey):
 * Checkout Form, pre-auth/post-auth, refunds, reporting; IYZWSv2 signing.
 */
export { iyzicoAuth, iyzicoAuthorization } from './auth.ts';
export { mapIyzicoError } from './errors.ts';
export { createIyzicoGateway, type IyzicoBuyer, type IyzicoOptions } from './gateway.ts';
export { iyzicoWebhookSignature, readIyzicoPaymentEvent } from './webhook.ts';
