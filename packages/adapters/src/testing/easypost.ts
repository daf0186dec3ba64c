/**
 * A fake EasyPost for tests: HTTP Basic with the API key as user name,
 * `POST /v2/shipments` answering two rates (USPS Priority, UPS Ground),
 * `POST /v2/shipments/{id}/buy` with `Idempotency-Key` replay (a second
 * purchase of a bought shipment is 422 `SHIPMENT.POSTAGE.EXISTS`, as
 * EasyPost answers), `GET /v2/shipments/{id}`, `GET /v2/trackers/{id}`,
 * and the error shape `{ error: { code, message, errors } }`. Trackers
 * advance through a scripted list of statuses, one step per `advance()`
 * (or per poll with `advanceOnPoll`); `event()` builds a signed
 * `tracker.updated` webhook. `outage()` makes every call answer 503 until
 * `restore()`.
 */
import { createHmac } from 'node:crypto';
import { HttpResponse, http } from 'msw';
import { ReplayCache, readIdempotentJson } from './shared.ts';

/**
 * Base URL the fake answers on.
 *
 * @example
 * server.use(serverErrors({ method: 'post', url: `${EASYPOST_API}/v2/*`, times: 5 }).handler);
 */
export const EASYPOST_API = 'https://api.easypost.com';

interface StoredTracker {
  id: string;
  object: 'Tracker';
  tracking_code: string;
  status: string;
  status_detail: string;
  est_delivery_date: string;
  carrier: string;
  shipment_id: string;
  updated_at: string;
}

interface StoredShipment {
  id: string;
  reference: string | null;
  body: Record<string, unknown>;
  rates: {
    id: string;
    carrier: string;
    service: string;
    rate: string;
    currency: string;
    delivery_days: number;
  }[];
  selected_rate: StoredShipment['rates'][number] | null;
  postage_label: { label_url: string } | null;
  tracking_code: string | null;
  tracker: StoredTracker | null;
}

/** The statuses a tracker walks through, as EasyPost's test trackers do. */
const DEFAULT_PATH = ['pre_transit', 'in_transit', 'out_for_delivery', 'delivered'];

/**
 * State of the fake EasyPost.
 *
 * @example
 * const easypost = new FakeEasyPost();
 * server.use(...easypost.handlers());
 */
export class FakeEasyPost {
  readonly apiKey: string;
  readonly webhookSecret: string;
  readonly requests: string[] = [];
  readonly shipments = new Map<string, StoredShipment>();
  readonly trackers = new Map<string, StoredTracker>();
  /** Purchases made (one per bought shipment). */
  purchases = 0;
  /** Advance every tracker one status per poll. */
  advanceOnPoll = false;
  private readonly replay = new ReplayCache();
  private down = false;
  private seq = 0;

  constructor(apiKey = 'EZTK-test-key', webhookSecret = 'easypost-webhook-secret') {
    this.apiKey = apiKey;
    this.webhookSecret = webhookSecret;
  }

  /** Forgets every shipment, tracker, request and replay; ends an outage. */
  reset(): void {
    this.shipments.clear();
    this.trackers.clear();
    this.requests.length = 0;
    this.purchases = 0;
    this.advanceOnPoll = false;
    this.replay.clear();
    this.down = false;
  }

  /** Every call answers 503 until {@link restore}. */
  outage(): void {
    this.down = true;
  }

  restore(): void {
    this.down = false;
  }

  /** Moves a tracker to its next status (or to `status`); returns it. */
  advance(trackerId: string, status?: string): StoredTracker {
    const tracker = this.trackers.get(trackerId);
    if (!tracker) throw new Error(`no tracker ${trackerId}`);
    const at = DEFAULT_PATH.indexOf(tracker.status);
    tracker.status = status ?? DEFAULT_PATH[Math.min(at + 1, DEFAULT_PATH.length - 1)] ?? 'unknown';
    tracker.status_detail =
      tracker.status === 'delivered' ? 'arrived_at_destination' : 'in_transit';
    tracker.updated_at = new Date().toISOString();
    return tracker;
  }

  /** A `tracker.updated` event for a tracker, with its `X-Hmac-Signature` (signed with `secret`, default the fake's). */
  event(
    trackerId: string,
    secret = this.webhookSecret,
  ): { body: string; headers: Record<string, string> } {
    const tracker = this.trackers.get(trackerId);
    if (!tracker) throw new Error(`no tracker ${trackerId}`);
    this.seq += 1;
    const body = JSON.stringify({
      id: `evt_${String(this.seq).padStart(8, '0')}`,
      object: 'Event',
      mode: 'test',
      description: 'tracker.updated',
      result: tracker,
    });
    const mac = createHmac('sha256', Buffer.from(secret.normalize('NFKD'), 'utf8'))
      .update(body)
      .digest('hex');
    return {
      body,
      headers: { 'content-type': 'application/json', 'x-hmac-signature': `hmac-sha256-hex=${mac}` },
    };
  }

  private static error(status: number, code: string, message: string) {
    return HttpResponse.json({ error: { code, message, errors: [] } }, { status });
  }

  private gate(request: Request): Response | undefined {
    this.requests.push(`${request.method} ${new URL(request.url).pathname}`);
    if (this.down) return FakeEasyPost.error(503, 'SERVICE.UNAVAILABLE', 'Service unavailable');
    const expected = `Basic ${Buffer.from(`${this.apiKey}:`).toString('base64')}`;
    if (request.headers.get('authorization') !== expected)
      return FakeEasyPost.error(401, 'APIKEY.INACTIVE', 'The API key is not valid');
    return undefined;
  }

  private next(prefix: string): string {
    this.seq += 1;
    return `${prefix}_${String(this.seq).padStart(10, '0')}`;
  }

  /** MSW handlers for the fake. */
  handlers() {
    return [
      http.post(`${EASYPOST_API}/v2/shipments`, async ({ request }) => {
        const stop = this.gate(request);
        if (stop) return stop;
        const body = (await request.json().catch(() => null)) as {
          shipment?: Record<string, unknown>;
        } | null;
        const shipment = body?.shipment;
        const parcel = shipment?.parcel as Record<string, unknown> | undefined;
        if (!shipment?.to_address || !shipment.from_address || typeof parcel?.weight !== 'number')
          return FakeEasyPost.error(
            422,
            'SHIPMENT.INVALID_PARAMS',
            'to_address, from_address and parcel.weight are required',
          );
        const id = this.next('shp');
        const stored: StoredShipment = {
          id,
          reference: typeof shipment.reference === 'string' ? shipment.reference : null,
          body: shipment,
          rates: [
            {
              id: this.next('rate'),
              carrier: 'USPS',
              service: 'Priority',
              rate: '7.58',
              currency: 'USD',
              delivery_days: 2,
            },
            {
              id: this.next('rate'),
              carrier: 'UPS',
              service: 'Ground',
              rate: '12.40',
              currency: 'USD',
              delivery_days: 5,
            },
          ],
          selected_rate: null,
          postage_label: null,
          tracking_code: null,
          tracker: null,
        };
        this.shipments.set(id, stored);
        return HttpResponse.json(stored, { status: 201 });
      }),
      http.post(`${EASYPOST_API}/v2/shipments/:id/buy`, async ({ request, params }) => {
        const stop = this.gate(request);
        if (stop) return stop;
        const read = await readIdempotentJson(request, this.replay);
        if (read instanceof Response) return read;
        const shipment = this.shipments.get(String(params.id));
        if (!shipment)
          return FakeEasyPost.error(404, 'NOT_FOUND', 'The requested resource could not be found.');
        if (shipment.postage_label)
          return FakeEasyPost.error(
            422,
            'SHIPMENT.POSTAGE.EXISTS',
            'This shipment already has postage',
          );
        const rateId = (read.body.rate as { id?: unknown } | undefined)?.id;
        const rate = shipment.rates.find((r) => r.id === rateId);
        if (!rate)
          return FakeEasyPost.error(
            422,
            'SHIPMENT.RATE.INVALID',
            'The rate is not one of this shipment',
          );
        const tracking = `9400${String(this.seq).padStart(18, '0')}`;
        const tracker: StoredTracker = {
          id: this.next('trk'),
          object: 'Tracker',
          tracking_code: tracking,
          status: 'pre_transit',
          status_detail: 'label_created',
          est_delivery_date: new Date(Date.now() + rate.delivery_days * 86_400_000).toISOString(),
          carrier: rate.carrier,
          shipment_id: shipment.id,
          updated_at: new Date().toISOString(),
        };
        this.trackers.set(tracker.id, tracker);
        shipment.selected_rate = rate;
        shipment.postage_label = {
          label_url: `https://easypost-files.s3.amazonaws.com/files/postage_label/${shipment.id}.png`,
        };
        shipment.tracking_code = tracking;
        shipment.tracker = tracker;
        this.purchases += 1;
        this.replay.store(read.key, read.text, 200, shipment);
        return HttpResponse.json(shipment);
      }),
      http.get(`${EASYPOST_API}/v2/shipments/:id`, ({ request, params }) => {
        const stop = this.gate(request);
        if (stop) return stop;
        const shipment = this.shipments.get(String(params.id));
        if (!shipment)
          return FakeEasyPost.error(404, 'NOT_FOUND', 'The requested resource could not be found.');
        return HttpResponse.json(shipment);
      }),
      http.get(`${EASYPOST_API}/v2/trackers/:id`, ({ request, params }) => {
        const stop = this.gate(request);
        if (stop) return stop;
        const tracker = this.trackers.get(String(params.id));
        if (!tracker)
          return FakeEasyPost.error(404, 'NOT_FOUND', 'The requested resource could not be found.');
        if (this.advanceOnPoll) this.advance(tracker.id);
        return HttpResponse.json(tracker);
      }),
    ];
  }
}
