/**
 * The payment providers: Stripe (cards, and Connect escrow), iyzico (cards,
 * hosted Checkout Form) and Razorpay (UPI and cards), each behind the
 * `PaymentGateway` port; Stripe and Razorpay also bill subscriptions
 * (`SubscriptionBilling`).
 */
import type { EscrowAccount, PaymentGateway, SubscriptionBilling } from '@clinicbridge/adapters';
import { createIyzicoGateway } from '@clinicbridge/adapters/iyzico';
import {
  createRazorpayGateway,
  createRazorpaySubscriptions,
  type RazorpayOptions,
} from '@clinicbridge/adapters/razorpay';
import {
  createStripeEscrow,
  createStripeGateway,
  createStripeSubscriptions,
} from '@clinicbridge/adapters/stripe';
import * as z from 'zod';
import { optionalUrl, optionalValue } from './config-values.ts';
import type { ProviderGroup } from './group.ts';
import { resolveIyzicoPayer } from './iyzico-payers.ts';

/**
 * The payment providers' section of the environment.
 *
 * @example
 * paymentsConfig.parse({ STRIPE_SECRET_KEY: 'sk_test_1' });
 */
export const paymentsConfig = z.object({
  /** Stripe: secret key (card payments and Connect escrow). */
  STRIPE_SECRET_KEY: optionalValue,
  STRIPE_API_URL: optionalUrl,
  /** Razorpay: key id and secret (UPI and cards). */
  RAZORPAY_KEY_ID: optionalValue,
  RAZORPAY_KEY_SECRET: optionalValue,
  RAZORPAY_API_URL: optionalUrl,
  /** iyzico: API key and secret key (cards through the hosted Checkout Form). */
  IYZICO_API_KEY: optionalValue,
  IYZICO_SECRET_KEY: optionalValue,
  IYZICO_API_URL: optionalUrl,
});

/**
 * The payment adapters of a process.
 *
 * @example
 * const gateway = providers.payments.stripe ?? providers.payments.razorpay;
 */
export interface PaymentProviders {
  readonly payments: {
    readonly stripe?: PaymentGateway;
    readonly iyzico?: PaymentGateway;
    readonly razorpay?: PaymentGateway;
  };
  readonly escrow?: EscrowAccount;
  /** Recurring billing on the same accounts as the gateways (Stripe Billing, Razorpay Subscriptions). */
  readonly subscriptionBilling?: {
    readonly stripe?: SubscriptionBilling;
    readonly razorpay?: SubscriptionBilling;
  };
}

/**
 * Builds the configured gateways, and Stripe's escrow beside its gateway.
 *
 * @example
 * const { built } = paymentProviders.build(paymentsConfig.parse(process.env), shared);
 */
export const paymentProviders: ProviderGroup<typeof paymentsConfig, PaymentProviders> = {
  config: paymentsConfig,
  build(config, shared) {
    const hooks = { metrics: shared.metrics, audit: shared.audit };
    const absent: string[] = [];
    const stripe = config.STRIPE_SECRET_KEY
      ? {
          ...hooks,
          secretKey: config.STRIPE_SECRET_KEY,
          ...(config.STRIPE_API_URL ? { baseUrl: config.STRIPE_API_URL } : {}),
        }
      : undefined;
    if (!stripe) absent.push('stripe');
    const razorpayOptions: RazorpayOptions | undefined =
      config.RAZORPAY_KEY_ID && config.RAZORPAY_KEY_SECRET
        ? {
            ...hooks,
            keyId: config.RAZORPAY_KEY_ID,
            keySecret: config.RAZORPAY_KEY_SECRET,
            ...(config.RAZORPAY_API_URL ? { baseUrl: config.RAZORPAY_API_URL } : {}),
          }
        : undefined;
    const razorpay = razorpayOptions ? createRazorpayGateway(razorpayOptions) : undefined;
    if (!razorpay) absent.push('razorpay');
    const iyzico =
      config.IYZICO_API_KEY && config.IYZICO_SECRET_KEY
        ? createIyzicoGateway({
            ...hooks,
            apiKey: config.IYZICO_API_KEY,
            secretKey: config.IYZICO_SECRET_KEY,
            resolveBuyer: resolveIyzicoPayer,
            ...(config.IYZICO_API_URL ? { baseUrl: config.IYZICO_API_URL } : {}),
          })
        : undefined;
    if (!iyzico) absent.push('iyzico');
    return {
      built: {
        payments: {
          ...(stripe ? { stripe: createStripeGateway(stripe) } : {}),
          ...(razorpay ? { razorpay } : {}),
          ...(iyzico ? { iyzico } : {}),
        },
        ...(stripe ? { escrow: createStripeEscrow(stripe) } : {}),
        subscriptionBilling: {
          ...(stripe ? { stripe: createStripeSubscriptions(stripe) } : {}),
          ...(razorpayOptions ? { razorpay: createRazorpaySubscriptions(razorpayOptions) } : {}),
        },
      },
      absent,
    };
  },
};
