/**
 * A fake Doktor365-shaped clinic API for tests: per-clinic client
 * credentials (`POST /api/v1/auth/token`, form-encoded client credentials),
 * bearer tokens bound to the clinic, `PUT` of deals, itineraries and
 * flights keyed by the platform reference, `Idempotency-Key` replay, and the
 * error shape `{ success: false, error: { code, message } }`. An itinerary's
 * items are checked as Doktor365 documents them: a stop has a type, a start
 * and a location; a flight leg its airline, flight number, airports, and
 * departure and arrival times; anything else is `422 VALIDATION_FAILED`.
 */
import { HttpResponse, http, type JsonBodyType } from 'msw';
import { ReplayCache, readForm } from './shared.ts';

/**
 * Base URL the fake answers on.
 *
 * @example
 * server.use(serverErrors({ method: 'put', url: `${DOKTOR365_API}/api/v1/*`, times: 5 }).handler);
 */
export const DOKTOR365_API = 'https://api.doktor365.com.tr';

const STOP_TYPES = new Set(['arrival', 'transfer', 'hotel', 'appointment', 'departure']);
const STOP_FIELDS = new Set(['type', 'start', 'end', 'location', 'external_id']);
const FLIGHT_FIELDS = [
  'type',
  'start',
  'end',
  'external_id',
  'airline',
  'flight_no',
  'departure_airport',
  'arrival_airport',
];

/** Whether an itinerary body holds only items Doktor365 accepts. */
function validItinerary(body: unknown): boolean {
  const items = (body as { items?: unknown } | null)?.items;
  if (!Array.isArray(items)) return false;
  return items.every((raw: unknown) => {
    if (raw === null || typeof raw !== 'object') return false;
    const item = raw as Record<string, unknown>;
    const keys = Object.keys(item);
    const strings = (fields: readonly string[]) =>
      fields.every((f) => typeof item[f] === 'string' && item[f] !== '');
    if (item.type === 'flight')
      return keys.length === FLIGHT_FIELDS.length && strings(FLIGHT_FIELDS);
    return (
      STOP_TYPES.has(String(item.type)) &&
      keys.every((k) => STOP_FIELDS.has(k)) &&
      strings(['start', 'location', 'external_id'])
    );
  });
}

/**
 * State of the fake: one record store per clinic.
 *
 * @example
 * const d365 = new FakeDoktor365(['tnt_1', 'tnt_2']);
 * server.use(...d365.handlers());
 * d365.records('tnt_1').get('deals/case_1');
 */
export class FakeDoktor365 {
  /** Credentials per tenant, as each clinic would issue them. */
  readonly credentials: Record<string, { clientId: string; clientSecret: string }> = {};
  readonly requests: string[] = [];
  tokenRequests = 0;
  /** Writes that changed state (replays excluded). */
  writes = 0;
  private readonly tokens = new Map<string, string>();
  private readonly stores = new Map<string, Map<string, { id: string; body: unknown }>>();
  private readonly replay = new ReplayCache();
  private seq = 0;

  constructor(tenants: readonly string[] = ['tnt_1']) {
    for (const tenant of tenants) {
      this.credentials[tenant] = { clientId: `d365-${tenant}`, clientSecret: `secret-${tenant}` };
      this.stores.set(tenant, new Map());
    }
  }

  /** Records of one clinic by `deals/{ref}`, `itinerary/{case}`, `flights/{case}/{direction}`. */
  records(tenant: string): Map<string, { id: string; body: unknown }> {
    return this.stores.get(tenant) ?? new Map();
  }

  /** Invalidates every issued token. */
  expireTokens(): void {
    this.tokens.clear();
  }

  private static error(status: number, code: string, message: string) {
    return HttpResponse.json({ success: false, error: { code, message } }, { status });
  }

  private save(request: Request, key: string, valid: (body: unknown) => boolean = () => true) {
    return async () => {
      this.requests.push(request.url);
      const token = request.headers.get('authorization')?.replace(/^Bearer /, '') ?? '';
      const tenant = this.tokens.get(token);
      if (!tenant) return FakeDoktor365.error(401, 'UNAUTHORIZED', 'Token expired or invalid');
      const text = await request.text();
      const idempotencyKey = request.headers.get('idempotency-key');
      const scoped = idempotencyKey ? `${tenant}:${idempotencyKey}` : null;
      const replayed = this.replay.lookup(scoped, text);
      if (replayed === 'mismatch')
        return FakeDoktor365.error(409, 'IDEMPOTENCY_MISMATCH', 'Key reused with another body');
      if (replayed)
        return HttpResponse.json(replayed.body as JsonBodyType, { status: replayed.status });
      const body: unknown = JSON.parse(text);
      if (!valid(body))
        return FakeDoktor365.error(422, 'VALIDATION_FAILED', 'The record has invalid items');
      const store = this.records(tenant);
      const existing = store.get(key);
      this.seq += 1;
      const record = { id: existing?.id ?? `d365_${this.seq}`, body };
      store.set(key, record);
      this.writes += 1;
      const answer = { success: true, data: { id: record.id } };
      this.replay.store(scoped, text, 200, answer);
      return HttpResponse.json(answer);
    };
  }

  /** MSW handlers for the fake. */
  handlers() {
    return [
      http.post(`${DOKTOR365_API}/api/v1/auth/token`, async ({ request }) => {
        this.requests.push(request.url);
        this.tokenRequests += 1;
        const form = await readForm(request);
        const tenant = Object.entries(this.credentials).find(
          ([, c]) => c.clientId === form.client_id && c.clientSecret === form.client_secret,
        )?.[0];
        if (form.grant_type !== 'client_credentials' || !tenant)
          return HttpResponse.json({ error: 'invalid_client' }, { status: 401 });
        this.seq += 1;
        const token = `d365-token-${this.seq}`;
        this.tokens.set(token, tenant);
        return HttpResponse.json({ access_token: token, token_type: 'Bearer', expires_in: 3600 });
      }),
      http.put(`${DOKTOR365_API}/api/v1/deals/:ref`, ({ request, params }) =>
        this.save(request, `deals/${String(params.ref)}`)(),
      ),
      http.put(`${DOKTOR365_API}/api/v1/cases/:ref/itinerary`, ({ request, params }) =>
        this.save(request, `itinerary/${String(params.ref)}`, validItinerary)(),
      ),
      http.put(`${DOKTOR365_API}/api/v1/cases/:ref/flights/:direction`, ({ request, params }) =>
        this.save(request, `flights/${String(params.ref)}/${String(params.direction)}`)(),
      ),
    ];
  }
}
