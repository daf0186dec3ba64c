/**
 * The Stripe provider client: Bearer secret key, form-encoded bodies,
 * `Idempotency-Key` on every write, `request-id` kept on errors.
 */
import { type AdapterOptions, pickAdapterOptions } from '../core/adapter-options.ts';
import { bearerAuth } from '../core/auth.ts';
import { createProviderClient, type ProviderClient } from '../core/client.ts';
import { mapStripeError } from './errors.ts';

/**
 * Stripe settings.
 *
 * @example
 * const options: StripeOptions = { secretKey: process.env.STRIPE_SECRET_KEY!, apiVersion: '2025-10-29.clover' };
 */
export interface StripeOptions extends AdapterOptions {
  secretKey: string;
  /** Pins `Stripe-Version`; the account default applies when absent. */
  apiVersion?: string;
  /** A client to share (one breaker for gateway and escrow on the same account). */
  client?: ProviderClient;
}

/**
 * Creates (or reuses) the Stripe client.
 *
 * @example
 * const client = createStripeClient({ secretKey: 'sk_test_…' });
 */
export function createStripeClient(options: StripeOptions): ProviderClient {
  if (options.client) return options.client;
  return createProviderClient({
    provider: 'stripe',
    baseUrl: options.baseUrl ?? 'https://api.stripe.com',
    auth: bearerAuth(options.secretKey),
    idempotencyHeader: 'Idempotency-Key',
    requestIdHeader: 'request-id',
    mapError: mapStripeError,
    ...(options.apiVersion ? { headers: { 'Stripe-Version': options.apiVersion } } : {}),
    ...pickAdapterOptions(options),
  });
}
