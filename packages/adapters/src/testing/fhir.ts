/**
 * A fake FHIR R4 server for tests, with the semantics the specification
 * gives the RESTful API: read and vread with `ETag: W/"<version>"`; search
 * with `_count`/`_offset` paging and `Bundle.link[next]`; create with
 * `If-None-Exist` (no match → 201, one match → 200 with that resource,
 * several → 412 `multiple-matches`); update with `If-Match` (stale → 412
 * `conflict`; an unknown id is created, 201); every error an
 * OperationOutcome. Clients authenticate at `{base}/auth/token` with client
 * credentials — a secret, or a SMART `private_key_jwt` assertion verified
 * against the client's registered public key (jti replay refused).
 */
import type { Bundle, OperationOutcome, Resource } from '@medplum/fhirtypes';
import { importJWK, type JWK, jwtVerify } from 'jose';
import { HttpResponse, http } from 'msw';
import { checkParameters, matches, UnsupportedSearch } from './fhir-search.ts';
import { readForm } from './shared.ts';

/**
 * Base URL the fake answers on by default.
 *
 * @example
 * const fhir = createFhirClient({ baseUrl: FHIR_API });
 */
export const FHIR_API = 'https://fhir.example.test/r4';

const FHIR_JSON = 'application/fhir+json';
const ID = /^[A-Za-z0-9\-.]{1,64}$/;
const MAX_BODY_BYTES = 1_048_576;

/**
 * A client the fake accepts at its token endpoint.
 *
 * @example
 * fake.registerClient('clinicbridge', { secret: 's3cret' });
 */
export interface FakeFhirClientRegistration {
  /** For client_secret_basic / client_secret_post. */
  secret?: string;
  /** For private_key_jwt (SMART Backend Services). */
  publicJwk?: JWK;
  alg?: 'RS384' | 'ES384';
}

/**
 * An OperationOutcome error answer.
 *
 * @example
 * return outcome(404, 'not-found', 'Patient/x is not known');
 */
export function outcome(
  status: number,
  code: string,
  diagnostics: string,
  expression?: string[],
): Response {
  const body: OperationOutcome = {
    resourceType: 'OperationOutcome',
    issue: [
      {
        severity: 'error',
        code: code as 'invalid',
        diagnostics,
        ...(expression ? { expression } : {}),
      },
    ],
  };
  return HttpResponse.json(body as never, { status, headers: { 'content-type': FHIR_JSON } });
}

/**
 * A rule the fake applies to writes, to emulate a server's business rules (422).
 *
 * @example
 * fake.rules.push((r) => (r.resourceType === 'Patient' && !r.birthDate ? { expression: ['Patient.birthDate'], diagnostics: 'birthDate is required' } : undefined));
 */
export type FakeFhirRule = (
  resource: Resource,
) => { expression: string[]; diagnostics: string; code?: string } | undefined;

/**
 * State of the fake FHIR server.
 *
 * @example
 * const fake = new FakeFhirServer();
 * server.use(...fake.handlers());
 * fake.seed({ resourceType: 'Patient', id: 'f001' });
 */
export class FakeFhirServer {
  readonly baseUrl: string;
  readonly tokenUrl: string;
  /** Every request the fake answered (method and URL). */
  readonly requests: { method: string; url: string }[] = [];
  tokenRequests = 0;
  /** Page size when `_count` is absent. */
  pageSize = 20;
  /** Business rules applied to creates and updates (first failure → 422). */
  readonly rules: FakeFhirRule[] = [];
  /** Called after every stored write (create, update, seed), e.g. to adjudicate a Claim. */
  readonly onWrite: ((resource: Resource, kind: 'create' | 'update') => void)[] = [];
  now: () => Date = () => new Date();
  private readonly clients = new Map<string, FakeFhirClientRegistration>();
  private readonly tokens = new Map<string, string>();
  private readonly jtis = new Set<string>();
  private readonly store = new Map<string, Resource[]>();
  /** Order of each resource's last write, for `_sort=_lastUpdated`. */
  private readonly written = new Map<string, number>();
  private seq = 0;
  private writes = 0;

  constructor(
    options: { baseUrl?: string; clients?: Record<string, FakeFhirClientRegistration> } = {},
  ) {
    this.baseUrl = (options.baseUrl ?? FHIR_API).replace(/\/+$/, '');
    this.tokenUrl = `${this.baseUrl}/auth/token`;
    for (const [id, registration] of Object.entries(options.clients ?? {})) {
      this.registerClient(id, registration);
    }
  }

  /** Accepts a client at the token endpoint; from then on every call needs a token. */
  registerClient(clientId: string, registration: FakeFhirClientRegistration): void {
    this.clients.set(clientId, registration);
  }

  /** Invalidates every issued token (the next call gets 401). */
  expireTokens(): void {
    this.tokens.clear();
  }

  /** Stores a resource as the server's own write (id assigned when absent); returns it. */
  seed<T extends Resource>(resource: T): T {
    return this.write(resource, resource.id ?? this.newId(), 'create');
  }

  /** The current version of a resource, or undefined. */
  get<T extends Resource = Resource>(type: string, id: string): T | undefined {
    return this.store.get(`${type}/${id}`)?.at(-1) as T | undefined;
  }

  /** Every current resource of a type, in creation order. */
  all<T extends Resource = Resource>(type: string): T[] {
    const out: T[] = [];
    for (const [key, versions] of this.store) {
      if (key.startsWith(`${type}/`)) out.push(versions.at(-1) as T);
    }
    return out;
  }

  /** Current resources of `type` matching a query (as the server's search would). */
  find<T extends Resource = Resource>(type: string, query: string | URLSearchParams): T[] {
    const params = typeof query === 'string' ? new URLSearchParams(query) : query;
    checkParameters(type, params);
    return this.all<T>(type).filter((r) => matches(r, params));
  }

  private newId(): string {
    this.seq += 1;
    return `${this.seq}`;
  }

  private write<T extends Resource>(resource: T, id: string, kind: 'create' | 'update'): T {
    const key = `${resource.resourceType}/${id}`;
    const versions = this.store.get(key) ?? [];
    const stored = {
      ...resource,
      id,
      meta: {
        ...resource.meta,
        versionId: String(versions.length + 1),
        lastUpdated: this.now().toISOString(),
      },
    } as T;
    versions.push(stored);
    this.store.set(key, versions);
    this.writes += 1;
    this.written.set(key, this.writes);
    for (const listener of this.onWrite) listener(stored, kind);
    return stored;
  }

  private answer(resource: Resource, status: number): Response {
    const version = resource.meta?.versionId ?? '1';
    return HttpResponse.json(resource as never, {
      status,
      headers: {
        'content-type': FHIR_JSON,
        etag: `W/"${version}"`,
        location: `${this.baseUrl}/${resource.resourceType}/${resource.id}/_history/${version}`,
        ...(resource.meta?.lastUpdated
          ? { 'last-modified': new Date(resource.meta.lastUpdated).toUTCString() }
          : {}),
      },
    });
  }

  private authorized(request: Request): boolean {
    if (this.clients.size === 0) return true;
    const token = /^Bearer (.+)$/.exec(request.headers.get('authorization') ?? '')?.[1];
    return token !== undefined && this.tokens.has(token);
  }

  private async issueToken(request: Request): Promise<Response> {
    this.tokenRequests += 1;
    const form = await readForm(request);
    const refuse = (error: string, status = 401) => HttpResponse.json({ error }, { status });
    if (form.grant_type !== 'client_credentials') return refuse('unsupported_grant_type', 400);
    let clientId: string | undefined;
    if (form.client_assertion !== undefined) {
      if (form.client_assertion_type !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') {
        return refuse('invalid_client');
      }
      clientId = await this.verifyAssertion(form.client_assertion);
    } else {
      const basic = /^Basic (.+)$/.exec(request.headers.get('authorization') ?? '')?.[1];
      const [id, secret] = basic
        ? Buffer.from(basic, 'base64').toString('utf8').split(':').map(decodeURIComponent)
        : [form.client_id, form.client_secret];
      const registration = id ? this.clients.get(id) : undefined;
      if (registration?.secret !== undefined && registration.secret === secret) clientId = id;
    }
    if (!clientId) return refuse('invalid_client');
    const token = `fhir-token-${this.newId()}`;
    this.tokens.set(token, clientId);
    return HttpResponse.json({
      access_token: token,
      token_type: 'bearer',
      expires_in: 300,
      scope: form.scope ?? 'system/*.rs',
    });
  }

  private async verifyAssertion(assertion: string): Promise<string | undefined> {
    const unverified = JSON.parse(
      Buffer.from(assertion.split('.')[1] ?? '', 'base64url').toString('utf8') || '{}',
    ) as { iss?: string };
    const issuer = unverified.iss;
    const registration = issuer ? this.clients.get(issuer) : undefined;
    if (!issuer || !registration?.publicJwk) return undefined;
    try {
      const key = await importJWK(registration.publicJwk, registration.alg ?? 'ES384');
      const { payload } = await jwtVerify(assertion, key, {
        issuer,
        subject: issuer,
        audience: this.tokenUrl,
        maxTokenAge: '5m',
      });
      if (typeof payload.jti !== 'string' || this.jtis.has(payload.jti)) return undefined;
      if ((payload.exp ?? 0) - Math.floor(Date.now() / 1000) > 300) return undefined;
      this.jtis.add(payload.jti);
      return issuer;
    } catch {
      return undefined;
    }
  }

  private search(type: string, url: URL): Response {
    const query = new URLSearchParams(url.search);
    let found: Resource[];
    try {
      found = this.find(type, query);
    } catch (error) {
      if (error instanceof UnsupportedSearch) return outcome(400, 'not-supported', error.message);
      throw error;
    }
    const sort = query.get('_sort');
    if (sort === '_lastUpdated' || sort === '-_lastUpdated') {
      const order = (r: Resource) => this.written.get(`${r.resourceType}/${r.id}`) ?? 0;
      found.sort((a, b) => (order(a) - order(b)) * (sort === '_lastUpdated' ? 1 : -1));
    } else if (sort !== null) {
      return outcome(400, 'not-supported', `sorting by "${sort}" is not supported`);
    }
    const count = Math.min(Number(query.get('_count') ?? this.pageSize) || this.pageSize, 100);
    const offset = Math.max(0, Number(query.get('_offset') ?? 0) || 0);
    const page = found.slice(offset, offset + count);
    const link = (at: number) => {
      const next = new URLSearchParams(query);
      next.set('_count', String(count));
      next.set('_offset', String(at));
      return `${this.baseUrl}/${type}?${next}`;
    };
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'searchset',
      total: found.length,
      link: [
        { relation: 'self', url: link(offset) },
        ...(offset + count < found.length ? [{ relation: 'next', url: link(offset + count) }] : []),
      ],
      entry: page.map((resource) => ({
        fullUrl: `${this.baseUrl}/${resource.resourceType}/${resource.id}`,
        resource,
        search: { mode: 'match' as const },
      })),
    };
    return HttpResponse.json(bundle as never, { headers: { 'content-type': FHIR_JSON } });
  }

  private async body(request: Request, type: string): Promise<Resource | Response> {
    const text = await request.text();
    if (text.length > MAX_BODY_BYTES)
      return outcome(413, 'too-costly', 'the resource is too large');
    let resource: unknown;
    try {
      resource = JSON.parse(text);
    } catch {
      return outcome(400, 'structure', 'the body is not JSON');
    }
    const r = resource as Resource | null;
    if (!r || typeof r !== 'object' || r.resourceType !== type) {
      return outcome(400, 'invalid', `the body is not a ${type}`, [`${type}.resourceType`]);
    }
    for (const rule of this.rules) {
      const broken = rule(r);
      if (broken)
        return outcome(422, broken.code ?? 'business-rule', broken.diagnostics, broken.expression);
    }
    return r;
  }

  private async create(request: Request, type: string): Promise<Response> {
    const resource = await this.body(request, type);
    if (resource instanceof Response) return resource;
    const criteria = request.headers.get('if-none-exist');
    if (criteria !== null) {
      let found: Resource[];
      try {
        found = this.find(type, criteria.replace(/^[^?]*\?/, ''));
      } catch (error) {
        if (error instanceof UnsupportedSearch) return outcome(400, 'not-supported', error.message);
        throw error;
      }
      if (found.length > 1) {
        return outcome(412, 'multiple-matches', `If-None-Exist matched ${found.length} resources`);
      }
      if (found[0]) return this.answer(found[0], 200);
    }
    return this.answer(this.write(resource, this.newId(), 'create'), 201);
  }

  private async update(request: Request, type: string, id: string): Promise<Response> {
    const resource = await this.body(request, type);
    if (resource instanceof Response) return resource;
    if (resource.id !== id) {
      return outcome(400, 'invalid', 'the resource id differs from the URL id', [`${type}.id`]);
    }
    const current = this.get(type, id);
    const ifMatch = request.headers.get('if-match');
    if (ifMatch !== null) {
      const wanted = /^(?:W\/)?"([^"]+)"$/.exec(ifMatch.trim())?.[1];
      if (!current) return outcome(404, 'not-found', `${type}/${id} is not known`);
      if (wanted !== current.meta?.versionId) {
        return outcome(
          412,
          'conflict',
          `version ${wanted ?? ifMatch} is not the current version ${current.meta?.versionId}`,
        );
      }
    }
    return this.answer(this.write(resource, id, 'update'), current ? 200 : 201);
  }

  /** MSW handlers for the fake. */
  handlers() {
    const base = this.baseUrl;
    const guard =
      (run: (request: Request, params: Record<string, string>) => Response | Promise<Response>) =>
      async ({ request, params }: { request: Request; params: Record<string, unknown> }) => {
        this.requests.push({ method: request.method, url: request.url });
        if (!this.authorized(request))
          return outcome(401, 'login', 'a valid bearer token is required');
        const p = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)]));
        if (p.type !== undefined && !/^[A-Z][A-Za-z]{1,63}$/.test(p.type)) {
          return outcome(404, 'not-supported', `${p.type} is not a resource type`);
        }
        if (p.id !== undefined && !ID.test(p.id)) return outcome(400, 'invalid', 'malformed id');
        return run(request, p);
      };
    return [
      http.post(this.tokenUrl, async ({ request }) => {
        this.requests.push({ method: 'POST', url: request.url });
        return this.issueToken(request);
      }),
      http.get(`${base}/metadata`, () =>
        HttpResponse.json({
          resourceType: 'CapabilityStatement',
          status: 'active',
          kind: 'instance',
          fhirVersion: '4.0.1',
          format: ['json'],
          date: '2026-01-01',
        }),
      ),
      http.get(
        `${base}/:type/:id/_history/:vid`,
        guard((_request, { type, id, vid }) => {
          const version = this.store.get(`${type}/${id}`)?.[Number(vid) - 1];
          return version
            ? this.answer(version, 200)
            : outcome(404, 'not-found', `${type}/${id}/_history/${vid} is not known`);
        }),
      ),
      http.get(
        `${base}/:type/:id`,
        guard((_request, { type, id }) => {
          const resource = this.get(type as string, id as string);
          return resource
            ? this.answer(resource, 200)
            : outcome(404, 'not-found', `${type}/${id} is not known`);
        }),
      ),
      http.get(
        `${base}/:type`,
        guard((request, { type }) => this.search(type as string, new URL(request.url))),
      ),
      http.post(
        `${base}/:type`,
        guard((request, { type }) => this.create(request, type as string)),
      ),
      http.put(
        `${base}/:type/:id`,
        guard((request, { type, id }) => this.update(request, type as string, id as string)),
      ),
    ];
  }
}
