/**
 * A fake HubSpot CRM v3 objects API for tests: private-app bearer token,
 * `GET /crm/v3/objects/{type}/{id}?idProperty=`, `PATCH` of the same, and
 * `POST /crm/v3/objects/{type}/batch/upsert`, with HubSpot's error shape
 * (`{ status: 'error', message, category, correlationId }`). Only known
 * properties are accepted, as a portal without custom properties would.
 */
import { HttpResponse, http } from 'msw';

/**
 * Base URL the fake answers on.
 *
 * @example
 * server.use(serverErrors({ method: 'all', url: `${HUBSPOT_API}/crm/*`, times: 10 }).handler);
 */
export const HUBSPOT_API = 'https://api.hubapi.com';

interface StoredObject {
  id: string;
  properties: Record<string, string>;
  createdAt: string;
  updatedAt: string;
}

const KNOWN = new Set([
  'email',
  'firstname',
  'hs_language',
  'country',
  'lifecyclestage',
  'hs_lead_name',
  'dealname',
  'dealstage',
  'amount',
  'deal_currency_code',
  'clinicbridge_ref',
  'clinicbridge_updated_at',
  'clinicbridge_lead_source',
  'clinicbridge_marketing_consent',
  'clinicbridge_contact_email',
  'hs_analytics_source',
  'hs_analytics_source_data_1',
  'hs_analytics_source_data_2',
  'hs_analytics_first_timestamp',
]);

/**
 * State of the fake HubSpot portal.
 *
 * @example
 * const hubspot = new FakeHubSpot();
 * server.use(...hubspot.handlers());
 * hubspot.find('contacts', 'email', 'a@example.com')?.properties.firstname;
 */
export class FakeHubSpot {
  readonly accessToken: string;
  readonly objects: Record<string, StoredObject[]> = { contacts: [], leads: [], deals: [] };
  /** Every write's body as sent, for asserting the exact wire fields. */
  readonly writes: Array<{ type: string; body: unknown }> = [];
  readonly requests: string[] = [];
  /** The portal's clock; tests move it to order CRM-side and platform edits. */
  now: () => Date;
  private seq = 100;

  constructor(options: { accessToken?: string; now?: () => Date } = {}) {
    this.accessToken = options.accessToken ?? 'pat-na1-fake-token';
    this.now = options.now ?? (() => new Date());
  }

  /** The stored object whose `property` equals `value` (`id` for the record id). */
  find(type: string, property: string, value: string): StoredObject | undefined {
    return this.objects[type]?.find((o) =>
      property === 'id' ? o.id === value : o.properties[property] === value,
    );
  }

  /** A change made by a marketer in HubSpot at `at` (or now). */
  editInCrm(
    type: string,
    property: string,
    value: string,
    changes: Record<string, string>,
    at?: Date,
  ) {
    const object = this.find(type, property, value);
    if (!object) throw new Error(`no ${type} with ${property}=${value}`);
    Object.assign(object.properties, changes);
    this.touch(object, at ?? this.now());
  }

  private touch(object: StoredObject, at: Date) {
    object.updatedAt = at.toISOString();
    object.properties.hs_lastmodifieddate = object.updatedAt;
  }

  private static error(status: number, category: string, message: string) {
    return HttpResponse.json(
      { status: 'error', message, category, correlationId: crypto.randomUUID() },
      { status },
    );
  }

  private view(object: StoredObject, wanted: string | null) {
    const names = wanted ? wanted.split(',') : ['email', 'hs_object_id'];
    const properties: Record<string, string | null> = { hs_object_id: object.id };
    for (const name of names) properties[name] = object.properties[name] ?? null;
    properties.hs_lastmodifieddate = object.updatedAt;
    return {
      id: object.id,
      properties,
      createdAt: object.createdAt,
      updatedAt: object.updatedAt,
      archived: false,
    };
  }

  private unknownProperty(properties: Record<string, unknown>) {
    return Object.keys(properties).find((name) => !KNOWN.has(name));
  }

  /** MSW handlers for the fake. */
  handlers() {
    const authorised = (request: Request) =>
      request.headers.get('authorization') === `Bearer ${this.accessToken}`;
    const denied = () =>
      FakeHubSpot.error(
        401,
        'INVALID_AUTHENTICATION',
        'Authentication credentials not found. This API supports OAuth 2.0 authentication.',
      );
    const lookup = (type: string, id: string, url: URL) =>
      this.find(type, url.searchParams.get('idProperty') ?? 'id', decodeURIComponent(id));

    return [
      http.post(`${HUBSPOT_API}/crm/v3/objects/:type/batch/upsert`, async ({ request, params }) => {
        this.requests.push(request.url);
        if (!authorised(request)) return denied();
        const type = String(params.type);
        const body = (await request.json()) as {
          inputs?: Array<{ idProperty?: string; id?: string; properties?: Record<string, string> }>;
        };
        this.writes.push({ type, body });
        const results = [];
        for (const input of body.inputs ?? []) {
          const unknown = this.unknownProperty(input.properties ?? {});
          if (unknown || !input.idProperty || !input.id)
            return FakeHubSpot.error(
              400,
              'VALIDATION_ERROR',
              `Property values were not valid: ${unknown ?? 'idProperty'}`,
            );
          const at = this.now();
          let object = this.find(type, input.idProperty, input.id);
          const created = !object;
          if (!object) {
            this.seq += 1;
            object = {
              id: String(this.seq),
              properties: { [input.idProperty]: input.id },
              createdAt: at.toISOString(),
              updatedAt: at.toISOString(),
            };
            this.objects[type]?.push(object);
          }
          Object.assign(object.properties, input.properties);
          this.touch(object, at);
          results.push({
            ...this.view(object, Object.keys(input.properties ?? {}).join(',')),
            new: created,
          });
        }
        const stamp = this.now().toISOString();
        return HttpResponse.json({
          status: 'COMPLETE',
          results,
          startedAt: stamp,
          completedAt: stamp,
        });
      }),
      http.get(`${HUBSPOT_API}/crm/v3/objects/:type/:id`, ({ request, params }) => {
        this.requests.push(request.url);
        if (!authorised(request)) return denied();
        const url = new URL(request.url);
        const object = lookup(String(params.type), String(params.id), url);
        if (!object) return FakeHubSpot.error(404, 'OBJECT_NOT_FOUND', 'Object not found.');
        return HttpResponse.json(this.view(object, url.searchParams.get('properties')));
      }),
      http.patch(`${HUBSPOT_API}/crm/v3/objects/:type/:id`, async ({ request, params }) => {
        this.requests.push(request.url);
        if (!authorised(request)) return denied();
        const type = String(params.type);
        const object = lookup(type, String(params.id), new URL(request.url));
        if (!object) return FakeHubSpot.error(404, 'OBJECT_NOT_FOUND', 'Object not found.');
        const body = (await request.json()) as { properties?: Record<string, string> };
        this.writes.push({ type, body });
        const unknown = this.unknownProperty(body.properties ?? {});
        if (unknown)
          return FakeHubSpot.error(
            400,
            'VALIDATION_ERROR',
            `Property values were not valid: ${unknown}`,
          );
        Object.assign(object.properties, body.properties);
        this.touch(object, this.now());
        return HttpResponse.json(this.view(object, Object.keys(body.properties ?? {}).join(',')));
      }),
    ];
  }
}
