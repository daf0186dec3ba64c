/**
 * The travel providers: Amadeus Self-Service flight and hotel search and
 * booking, with the Travel Desk manual task when Amadeus cannot serve.
 */
import type { FlightSearch, HotelSearch } from '@clinicbridge/adapters';
import { createAmadeusFlights, createAmadeusHotels } from '@clinicbridge/adapters/amadeus';
import * as z from 'zod';
import { optionalUrl, optionalValue } from './config-values.ts';
import type { ProviderGroup } from './group.ts';

/**
 * The travel providers' section of the environment.
 *
 * @example
 * travelConfig.parse({ AMADEUS_CLIENT_ID: 'id', AMADEUS_CLIENT_SECRET: 'secret' });
 */
export const travelConfig = z.object({
  /** Amadeus Self-Service: client credentials (flights and hotels). */
  AMADEUS_CLIENT_ID: optionalValue,
  AMADEUS_CLIENT_SECRET: optionalValue,
  AMADEUS_ENVIRONMENT: z.enum(['test', 'production']).default('test'),
  AMADEUS_API_URL: optionalUrl,
});

/**
 * The travel adapters of a process.
 *
 * @example
 * const offers = await providers.travel?.flights.search(query);
 */
export interface TravelProviders {
  readonly travel?: { readonly flights: FlightSearch; readonly hotels: HotelSearch };
}

/**
 * Builds Amadeus flights and hotels when its credentials are set.
 *
 * @example
 * const { built } = travelProviders.build(travelConfig.parse(process.env), shared);
 */
export const travelProviders: ProviderGroup<typeof travelConfig, TravelProviders> = {
  config: travelConfig,
  build(config, shared) {
    if (!config.AMADEUS_CLIENT_ID || !config.AMADEUS_CLIENT_SECRET) {
      return { built: {}, absent: ['amadeus'] };
    }
    const options = {
      metrics: shared.metrics,
      audit: shared.audit,
      sink: shared.manualTasks,
      clientId: config.AMADEUS_CLIENT_ID,
      clientSecret: config.AMADEUS_CLIENT_SECRET,
      environment: config.AMADEUS_ENVIRONMENT,
      ...(config.AMADEUS_API_URL ? { baseUrl: config.AMADEUS_API_URL } : {}),
      ...(shared.tokenCache ? { tokenCache: shared.tokenCache } : {}),
    };
    return {
      built: {
        travel: { flights: createAmadeusFlights(options), hotels: createAmadeusHotels(options) },
      },
      absent: [],
    };
  },
};
