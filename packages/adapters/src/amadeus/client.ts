/**
 * The Amadeus Self-Service client: OAuth2 client credentials with the token
 * cached just under its lifetime, and a store of completed bookings so an
 * order is never created twice for one idempotency key.
 */
import { type AdapterOptions, pickAdapterOptions } from '../core/adapter-options.ts';
import { createProviderClient, type ProviderClient } from '../core/client.ts';
import { InMemoryIdempotencyResultStore } from '../core/idempotency.ts';
import type { ManualTaskSink } from '../core/manual-tasks.ts';
import { oauth2ClientCredentials } from '../core/oauth2.ts';
import type { TokenCache } from '../core/token-cache.ts';
import { mapAmadeusError } from './errors.ts';

/**
 * Amadeus settings.
 *
 * @example
 * const options: AmadeusOptions = {
 *   clientId: process.env.AMADEUS_CLIENT_ID!, clientSecret: process.env.AMADEUS_CLIENT_SECRET!,
 *   environment: 'test', sink,
 * };
 */
export interface AmadeusOptions extends AdapterOptions {
  clientId: string;
  clientSecret: string;
  /** `test` (default) or `production`; `baseUrl` overrides both. */
  environment?: 'test' | 'production';
  /** Where Travel Desk tasks go when Amadeus is unavailable. */
  sink: ManualTaskSink;
  /** Refresh the token this long before it expires. Default 60 s. */
  tokenRefreshSkewMs?: number;
  now?: () => number;
  /** Shared token storage (several processes, one token), under `amadeus:token`; default this client's memory. */
  tokenCache?: TokenCache;
  /** A client to share between flights and hotels (one token, one breaker). */
  client?: ProviderClient;
}

/**
 * Creates (or reuses) the Amadeus client.
 *
 * @example
 * const client = createAmadeusClient({ clientId, clientSecret, sink });
 */
export function createAmadeusClient(options: AmadeusOptions): ProviderClient {
  if (options.client) return options.client;
  const baseUrl =
    options.baseUrl ??
    (options.environment === 'production'
      ? 'https://api.amadeus.com'
      : 'https://test.api.amadeus.com');
  return createProviderClient({
    provider: 'amadeus',
    baseUrl,
    auth: oauth2ClientCredentials({
      provider: 'amadeus',
      tokenUrl: `${baseUrl}/v1/security/oauth2/token`,
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      refreshSkewMs: options.tokenRefreshSkewMs ?? 60_000,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.now ? { now: options.now } : {}),
      ...(options.tokenCache ? { cache: options.tokenCache, cacheKey: 'amadeus:token' } : {}),
    }),
    mapError: mapAmadeusError,
    idempotencyStore: options.idempotencyStore ?? new InMemoryIdempotencyResultStore(),
    ...pickAdapterOptions(options),
  });
}
