/**
 * @clinicbridge/adapters/doktor365 — `ClinicSoftwareProxy` on a
 * Doktor365-shaped clinic API. Each tenant (clinic) has its own client
 * credentials and its own token, cached in the core's token cache under
 * `d365:token:{tenant}` (configurable), and its own provider client, so one
 * clinic's outage opens only that clinic's breaker. Records are written with
 * `PUT` on the platform reference plus an `Idempotency-Key`, so retries and
 * repeats update one record; an unavailable clinic system becomes a manual task.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { type AdapterOptions, pickAdapterOptions, segment } from '../core/adapter-options.ts';
import { createProviderClient, type ProviderClient } from '../core/client.ts';
import { ProviderError } from '../core/errors.ts';
import { type ManualTaskSink, withManualFallback } from '../core/manual-tasks.ts';
import { fromMinorUnits } from '../core/money.ts';
import { oauth2ClientCredentials } from '../core/oauth2.ts';
import { InMemoryTokenCache, type TokenCache } from '../core/token-cache.ts';
import {
  ClinicDealSchema,
  ClinicFlightSchema,
  ClinicItinerarySchema,
  type ClinicPushResult,
  type ClinicSoftwareProxy,
  type ItineraryItem,
} from '../ports/clinic-software.ts';
import { parseInput } from '../ports/validate.ts';
import { mapDoktor365Error } from './errors.ts';

export { mapDoktor365Error } from './errors.ts';

/**
 * Doktor365 settings.
 *
 * @example
 * const options: Doktor365Options = { credentialsFor: (tenant) => secrets.d365[tenant], sink, tokenCache };
 */
export interface Doktor365Options extends AdapterOptions {
  /** The clinic's API credentials; `undefined` when the tenant has no integration. */
  credentialsFor: (tenantRef: string) => { clientId: string; clientSecret: string } | undefined;
  sink: ManualTaskSink;
  /** Shared token storage (e.g. backed by the server's database). Default in memory. */
  tokenCache?: TokenCache;
  /** Cache key of a tenant's token. Default `d365:token:{tenant}`. */
  tokenKey?: (tenantRef: string) => string;
  now?: () => number;
}

const Saved = z.object({ data: z.object({ id: z.string() }) });

/** An itinerary item as Doktor365 takes it; a flight leg names its flight as the flight endpoint does. */
function itineraryItemBody(item: ItineraryItem): Record<string, string> {
  if (item.kind === 'flight')
    return {
      type: 'flight',
      start: item.departAt,
      end: item.arriveAt,
      external_id: item.reference,
      airline: item.airline,
      flight_no: item.flightNumber,
      departure_airport: item.from,
      arrival_airport: item.to,
    };
  return {
    type: item.kind,
    start: item.startsAt,
    ...(item.endsAt ? { end: item.endsAt } : {}),
    location: item.place,
    external_id: item.reference,
  };
}

/**
 * Creates the Doktor365 proxy.
 *
 * @example
 * const d365 = createDoktor365Proxy({ credentialsFor: (t) => creds[t], sink });
 * await d365.sendDeal({ tenantRef: 'tnt_1', dealRef: 'case_1', patientRef: 'pat_1', packageCode: 'DENT-IMPL-4', amount: { amountMinor: 250000, currency: 'EUR' }, stage: 'booked', updatedAt });
 */
export function createDoktor365Proxy(options: Doktor365Options): ClinicSoftwareProxy {
  const baseUrl = options.baseUrl ?? 'https://api.doktor365.com.tr';
  const cache = options.tokenCache ?? new InMemoryTokenCache();
  const tokenKey = options.tokenKey ?? ((tenant: string) => `d365:token:${tenant}`);
  const clients = new Map<string, ProviderClient>();

  function clientFor(tenantRef: string, operation: string): ProviderClient {
    const existing = clients.get(tenantRef);
    if (existing) return existing;
    const credentials = options.credentialsFor(tenantRef);
    if (!credentials)
      throw new ProviderError({
        code: 'invalid_request',
        provider: 'doktor365',
        operation,
        fields: ['tenantRef'],
        message: 'This tenant has no Doktor365 integration configured; add its credentials first.',
      });
    const client = createProviderClient({
      provider: 'doktor365',
      baseUrl,
      auth: oauth2ClientCredentials({
        provider: 'doktor365',
        tokenUrl: `${baseUrl}/api/v1/auth/token`,
        clientId: credentials.clientId,
        clientSecret: credentials.clientSecret,
        cache,
        cacheKey: tokenKey(tenantRef),
        ...(options.fetch ? { fetch: options.fetch } : {}),
        ...(options.now ? { now: options.now } : {}),
      }),
      idempotencyHeader: 'Idempotency-Key',
      mapError: mapDoktor365Error,
      ...pickAdapterOptions(options),
    });
    clients.set(tenantRef, client);
    return client;
  }

  function push(
    tenantRef: string,
    operation: string,
    path: string,
    json: unknown,
    subjectRef: string,
    idempotencyKey: string,
    summary: string,
  ): Promise<ClinicPushResult> {
    const client = clientFor(tenantRef, operation);
    return withManualFallback(
      {
        sink: options.sink,
        task: {
          kind: 'clinic_software',
          provider: 'doktor365',
          operation,
          subjectRef,
          summary,
          details: { tenantRef },
        },
      },
      async (): Promise<ClinicPushResult> => {
        const saved = await client.json({
          operation,
          method: 'put',
          path,
          json,
          idempotencyKey,
          schema: Saved,
        });
        return { status: 'delivered', remoteId: saved.data.id };
      },
      (task) => ({ status: 'manual', manualTaskId: task.id }),
    );
  }

  return {
    provider: 'doktor365',
    async sendDeal(raw) {
      const deal = parseInput(ClinicDealSchema, raw, 'doktor365', 'clinic.deals.put');
      return push(
        deal.tenantRef,
        'clinic.deals.put',
        `/api/v1/deals/${segment(deal.dealRef)}`,
        {
          external_id: deal.dealRef,
          patient_external_id: deal.patientRef,
          package_code: deal.packageCode,
          price: fromMinorUnits(deal.amount.amountMinor, deal.amount.currency),
          currency: deal.amount.currency,
          status: deal.stage,
          updated_at: deal.updatedAt,
        },
        deal.dealRef,
        `${deal.dealRef}:${deal.updatedAt}`,
        `Enter deal ${deal.dealRef} (${deal.packageCode}, ${deal.stage}) in the clinic's Doktor365.`,
      );
    },
    async sendItinerary(raw) {
      const itinerary = parseInput(
        ClinicItinerarySchema,
        raw,
        'doktor365',
        'clinic.itineraries.put',
      );
      const items = itinerary.items.map(itineraryItemBody);
      return push(
        itinerary.tenantRef,
        'clinic.itineraries.put',
        `/api/v1/cases/${segment(itinerary.caseRef)}/itinerary`,
        { items },
        itinerary.caseRef,
        // The same itinerary content is one write; a changed one is a new write.
        `${itinerary.caseRef}:itinerary:${createHash('sha256').update(JSON.stringify(items)).digest('hex')}`,
        `Enter the itinerary of case ${itinerary.caseRef} (${items.length} items) in Doktor365.`,
      );
    },
    async sendFlight(raw) {
      const flight = parseInput(ClinicFlightSchema, raw, 'doktor365', 'clinic.flights.put');
      return push(
        flight.tenantRef,
        'clinic.flights.put',
        `/api/v1/cases/${segment(flight.caseRef)}/flights/${flight.direction}`,
        {
          airline: flight.airline,
          flight_no: flight.flightNumber,
          departure_airport: flight.from,
          arrival_airport: flight.to,
          departure_time: flight.departAt,
          arrival_time: flight.arriveAt,
        },
        flight.caseRef,
        `${flight.caseRef}:${flight.direction}:${flight.flightNumber}:${flight.departAt}`,
        `Enter ${flight.direction} flight ${flight.flightNumber} of case ${flight.caseRef} in Doktor365.`,
      );
    },
  };
}
