/**
 * A fake Amadeus Self-Service API for tests: OAuth2 client-credentials
 * tokens (with expiry you can force), Flight Offers Search / Price / Create
 * Orders, Hotel List by geocode, Hotel Search v3 and Hotel Booking v2, with
 * Amadeus' error envelope (`{ errors: [{ status, code, title, detail }] }`).
 */
import { HttpResponse, http } from 'msw';
import { flightOffer, HOTELS, hotelOffer } from './amadeus-data.ts';

/**
 * Base URL the fake answers on (the test environment).
 *
 * @example
 * server.use(serverErrors({ method: 'all', url: `${AMADEUS_API}/*` }).handler);
 */
export const AMADEUS_API = 'https://test.api.amadeus.com';

/**
 * State of the fake Amadeus account.
 *
 * @example
 * const amadeus = new FakeAmadeus();
 * server.use(...amadeus.handlers());
 * amadeus.expireTokens(); // next API call gets 401 38190
 */
export class FakeAmadeus {
  tokenRequests = 0;
  readonly flightOrders: Array<{ id: string; body: unknown }> = [];
  readonly hotelOrders: Array<{ id: string; body: unknown }> = [];
  readonly requests: Array<{ method: string; path: string; body: string }> = [];
  /** Added to every repriced fare (EUR), to test price changes before booking. */
  priceIncrease = 0;
  /** Offer ids whose segments can no longer be sold. */
  readonly soldOut = new Set<string>();
  private readonly liveTokens = new Set<string>();
  private seq = 0;

  readonly clientId: string;
  readonly clientSecret: string;

  constructor(clientId = 'amadeus-client-id', clientSecret = 'amadeus-client-secret') {
    this.clientId = clientId;
    this.clientSecret = clientSecret;
  }

  /** Revokes every issued token, as if they had expired. */
  expireTokens(): void {
    this.liveTokens.clear();
  }

  private static error(status: number, code: number, title: string, parameter?: string) {
    return HttpResponse.json(
      {
        errors: [
          { status, code, title, detail: title, ...(parameter ? { source: { parameter } } : {}) },
        ],
      },
      { status },
    );
  }

  /** MSW handlers for the fake. */
  handlers() {
    const authorised = async (
      request: Request,
      run: (body: unknown) => Response | Promise<Response>,
    ) => {
      const body = request.method === 'GET' ? '' : await request.text();
      this.requests.push({ method: request.method, path: new URL(request.url).pathname, body });
      const token = request.headers.get('authorization')?.replace(/^Bearer /, '') ?? '';
      if (!this.liveTokens.has(token)) {
        return HttpResponse.json(
          {
            errors: [
              {
                code: 38190,
                title: 'Invalid access token',
                detail: 'The access token provided in the Authorization header is invalid',
                status: 401,
              },
            ],
          },
          { status: 401 },
        );
      }
      return run(body ? (JSON.parse(body) as unknown) : undefined);
    };

    return [
      http.post(`${AMADEUS_API}/v1/security/oauth2/token`, async ({ request }) => {
        this.tokenRequests += 1;
        const form = new URLSearchParams(await request.text());
        if (
          form.get('grant_type') !== 'client_credentials' ||
          form.get('client_id') !== this.clientId ||
          form.get('client_secret') !== this.clientSecret
        ) {
          return HttpResponse.json(
            {
              error: 'invalid_client',
              error_description: 'Client credentials are invalid',
              code: 38187,
              title: 'Invalid parameters',
            },
            { status: 401 },
          );
        }
        this.seq += 1;
        const token = `amadeus-token-${this.seq}`;
        this.liveTokens.add(token);
        return HttpResponse.json({
          type: 'amadeusOAuth2Token',
          username: 'desk@clinic.test',
          application_name: 'ClinicBridge',
          client_id: this.clientId,
          token_type: 'Bearer',
          access_token: token,
          expires_in: 1799,
          state: 'approved',
          scope: '',
        });
      }),

      http.get(`${AMADEUS_API}/v2/shopping/flight-offers`, ({ request }) =>
        authorised(request, () => {
          const q = new URL(request.url).searchParams;
          for (const p of ['originLocationCode', 'destinationLocationCode']) {
            if (!/^[A-Z]{3}$/.test(q.get(p) ?? ''))
              return FakeAmadeus.error(400, 477, 'INVALID FORMAT', p);
          }
          if (!/^\d{4}-\d{2}-\d{2}$/.test(q.get('departureDate') ?? ''))
            return FakeAmadeus.error(400, 477, 'INVALID FORMAT', 'departureDate');
          if (!q.get('adults'))
            return FakeAmadeus.error(400, 32171, 'MANDATORY DATA MISSING', 'adults');
          const offers = [
            flightOffer('1', 'TK', '1980', 0, '912.40'),
            flightOffer('2', 'KL', '1008', 1, '318.75'),
          ];
          const data = q.get('nonStop') === 'true' ? offers.slice(0, 1) : offers;
          return HttpResponse.json({
            meta: { count: data.length },
            data,
            dictionaries: {
              carriers: { TK: 'TURKISH AIRLINES', KL: 'KLM ROYAL DUTCH AIRLINES' },
              currencies: { EUR: 'EURO' },
            },
          });
        }),
      ),

      http.post(`${AMADEUS_API}/v1/shopping/flight-offers/pricing`, ({ request }) =>
        authorised(request, (body) => {
          const offers = (body as { data?: { flightOffers?: Array<Record<string, unknown>> } })
            ?.data?.flightOffers;
          if (!offers?.length)
            return FakeAmadeus.error(400, 32171, 'MANDATORY DATA MISSING', 'flightOffers');
          const priced = offers.map((o) => {
            const price = o.price as { total: string; grandTotal?: string; currency: string };
            const total = (Number(price.grandTotal ?? price.total) + this.priceIncrease).toFixed(2);
            return { ...o, price: { ...price, total, grandTotal: total } };
          });
          return HttpResponse.json({
            data: { type: 'flight-offers-pricing', flightOffers: priced },
          });
        }),
      ),

      http.post(`${AMADEUS_API}/v1/booking/flight-orders`, ({ request }) =>
        authorised(request, (body) => {
          const data = (
            body as { data?: { flightOffers?: Array<{ id?: string }>; travelers?: unknown[] } }
          )?.data;
          if (!data?.flightOffers?.length || !data.travelers?.length)
            return FakeAmadeus.error(400, 32171, 'MANDATORY DATA MISSING');
          if (this.soldOut.has(data.flightOffers[0]?.id ?? ''))
            return FakeAmadeus.error(400, 34651, 'SEGMENT SELL FAILURE');
          this.seq += 1;
          const id = `eJzTd9f3NjIJdzUGAAp${this.seq}`;
          this.flightOrders.push({ id, body });
          return HttpResponse.json(
            {
              data: {
                type: 'flight-order',
                id,
                associatedRecords: [
                  {
                    reference: `QZ${String(this.seq).padStart(4, '0')}`,
                    creationDate: '2026-11-22T07:00:00.000',
                    originSystemCode: 'GDS',
                    flightOfferId: data.flightOffers[0]?.id,
                  },
                ],
                flightOffers: data.flightOffers,
                travelers: data.travelers,
              },
            },
            { status: 201 },
          );
        }),
      ),

      http.get(`${AMADEUS_API}/v1/reference-data/locations/hotels/by-geocode`, ({ request }) =>
        authorised(request, () => {
          const q = new URL(request.url).searchParams;
          if (!q.get('latitude') || !q.get('longitude'))
            return FakeAmadeus.error(400, 32171, 'MANDATORY DATA MISSING', 'latitude');
          const radius = Number(q.get('radius') ?? 5);
          return HttpResponse.json({
            data: HOTELS.filter((h) => h.distance.value <= radius),
            meta: { count: HOTELS.length },
          });
        }),
      ),

      http.get(`${AMADEUS_API}/v3/shopping/hotel-offers`, ({ request }) =>
        authorised(request, () => {
          const q = new URL(request.url).searchParams;
          const ids = (q.get('hotelIds') ?? '').split(',').filter(Boolean);
          if (ids.length === 0)
            return FakeAmadeus.error(400, 32171, 'MANDATORY DATA MISSING', 'hotelIds');
          const checkIn = q.get('checkInDate') ?? '';
          const checkOut = q.get('checkOutDate') ?? '';
          const data = HOTELS.filter((h) => ids.includes(h.hotelId)).map((h) => ({
            type: 'hotel-offers',
            hotel: {
              type: 'hotel',
              hotelId: h.hotelId,
              chainCode: h.chainCode,
              name: h.name,
              cityCode: 'IST',
              latitude: h.geoCode.latitude,
              longitude: h.geoCode.longitude,
            },
            available: true,
            offers: [hotelOffer(h.hotelId, checkIn, checkOut)],
          }));
          return HttpResponse.json({ data });
        }),
      ),

      http.post(`${AMADEUS_API}/v2/booking/hotel-orders`, ({ request }) =>
        authorised(request, (body) => {
          const data = (
            body as {
              data?: {
                roomAssociations?: Array<{ hotelOfferId?: string }>;
                guests?: unknown[];
                payment?: unknown;
              };
            }
          )?.data;
          const offerId = data?.roomAssociations?.[0]?.hotelOfferId;
          if (!offerId || !data?.guests?.length || !data.payment)
            return FakeAmadeus.error(400, 32171, 'MANDATORY DATA MISSING');
          if (this.soldOut.has(offerId))
            return FakeAmadeus.error(400, 3664, 'ROOM OR RATE NOT AVAILABLE');
          this.seq += 1;
          const id = `hotel-order-${this.seq}`;
          this.hotelOrders.push({ id, body });
          return HttpResponse.json(
            {
              data: {
                type: 'hotel-order',
                id,
                hotelBookings: [
                  {
                    type: 'hotel-booking',
                    id: `hb-${this.seq}`,
                    bookingStatus: 'CONFIRMED',
                    hotelProviderInformation: [
                      { hotelProviderCode: 'RT', confirmationNumber: `CNF${this.seq}` },
                    ],
                  },
                ],
                guests: data.guests,
              },
            },
            { status: 201 },
          );
        }),
      ),
    ];
  }
}
