/**
 * The Razorpay provider client: Basic auth with key id and secret, JSON
 * bodies. Razorpay has no idempotency header, so repeated calls with one
 * key are answered from the idempotency store.
 */
import { type AdapterOptions, pickAdapterOptions } from '../core/adapter-options.ts';
import { basicAuth } from '../core/auth.ts';
import { createProviderClient, type ProviderClient } from '../core/client.ts';
import { InMemoryIdempotencyResultStore } from '../core/idempotency.ts';
import { mapRazorpayError } from './errors.ts';

/**
 * Razorpay settings.
 *
 * @example
 * const options: RazorpayOptions = { keyId: 'rzp_test_…', keySecret: process.env.RAZORPAY_KEY_SECRET! };
 */
export interface RazorpayOptions extends AdapterOptions {
  keyId: string;
  keySecret: string;
}

/**
 * Creates the Razorpay client.
 *
 * @example
 * const client = createRazorpayClient({ keyId: 'rzp_test_1', keySecret: 'secret' });
 */
export function createRazorpayClient(options: RazorpayOptions): ProviderClient {
  return createProviderClient({
    provider: 'razorpay',
    baseUrl: options.baseUrl ?? 'https://api.razorpay.com',
    auth: basicAuth(options.keyId, options.keySecret),
    mapError: mapRazorpayError,
    idempotencyStore: options.idempotencyStore ?? new InMemoryIdempotencyResultStore(),
    ...pickAdapterOptions(options),
  });
}
