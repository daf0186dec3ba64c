/**
 * `/fhir/R4`: the tenant's own data, read-only, as FHIR R4 JSON. The same
 * authentication (API key or JWT), scopes, rate limits and tenant rules as
 * `/api/v1`; every answer `application/fhir+json`, every error an
 * OperationOutcome. `GET /fhir/R4/metadata` (the CapabilityStatement) is
 * public, as FHIR clients expect; everything else needs a credential.
 * With a consent gate (ABDM configured), a patient whose ABHA is linked is
 * served only under their consent: a read answers 403 `consent_required`,
 * a search leaves their resources out and says so in an `outcome` entry.
 */
import type { Bundle, CapabilityStatement, Resource } from '@medplum/fhirtypes';
import type { Context, Hono } from 'hono';
import { publicUrl } from '../config/index.ts';
import type { AppContext } from '../feature.ts';
import type { AppEnv } from '../http/context.ts';
import { guardDepsOf, guardRequest } from '../http/guard.ts';
import { ApiError } from '../kernel/problem.ts';
import { type ConsentGate, requireConsent, withoutUnconsented } from './consent.ts';
import { FHIR_JSON, outcomeResponse } from './outcome.ts';
import { checkParameters, type FhirQuery, paging } from './search.ts';
import type { FhirSource } from './source.ts';

/**
 * Path of the FHIR base.
 *
 * @example
 * `${publicUrl(config)}${FHIR_BASE_PATH}/Patient`
 */
export const FHIR_BASE_PATH = '/fhir/R4';

function capabilityStatement(sources: readonly FhirSource[], base: string): CapabilityStatement {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: '2026-12-01',
    kind: 'instance',
    software: { name: 'ClinicBridge reference server' },
    implementation: { description: 'ClinicBridge FHIR R4 (read-only)', url: base },
    fhirVersion: '4.0.1',
    format: ['json'],
    rest: [
      {
        mode: 'server',
        security: {
          service: [{ text: 'API key or OAuth2 access token as a Bearer credential' }],
        },
        resource: sources.map((source) => ({
          type: source.type,
          interaction: [{ code: 'read' }, { code: 'search-type' }],
          searchParam: source.searchParams.map((name) => ({
            name,
            type: name === 'date' ? 'date' : name === 'patient' ? 'reference' : 'token',
          })),
        })),
      },
    ],
  };
}

function send(c: Context<AppEnv>, body: Resource): Response {
  c.header('Cache-Control', 'no-store');
  return c.body(JSON.stringify(body), 200, { 'Content-Type': FHIR_JSON });
}

function rawQuery(c: Context<AppEnv>): FhirQuery {
  const query: FhirQuery = {};
  const params = new URL(c.req.url).searchParams;
  let count = 0;
  for (const [name, value] of params) {
    if (++count > 50)
      throw new ApiError('validation_failed', 'A search takes at most 50 parameters.');
    const values = query[name] ?? [];
    values.push(value);
    query[name] = values;
  }
  return query;
}

/**
 * Mounts `/fhir/R4` for `sources`.
 *
 * @example
 * mountFhirRoutes(app, context, fhirSources);
 */
export function mountFhirRoutes(
  app: Hono<AppEnv>,
  context: AppContext,
  sources: readonly FhirSource[],
  gate?: ConsentGate,
): void {
  // Links use PUBLIC_URL when set (behind a proxy), else the origin the request came to.
  const baseOf = (c: Context<AppEnv>) =>
    `${context.config.PUBLIC_URL ? publicUrl(context.config) : new URL(c.req.url).origin}${FHIR_BASE_PATH}`;
  const deps = guardDepsOf(context);
  const byType = new Map(sources.map((source) => [source.type as string, source]));
  const log = (error: unknown, requestId: string) =>
    context.logger.error({ err: error, requestId }, 'unhandled error in /fhir/R4');
  const sourceOf = (type: string): FhirSource => {
    const source = byType.get(type);
    if (!source) {
      throw new ApiError(
        'not_found',
        `${type.slice(0, 64)} is not served here; see ${FHIR_BASE_PATH}/metadata.`,
      );
    }
    return source;
  };
  const guarded =
    (template: string, run: (c: Context<AppEnv>) => Promise<Response>) =>
    async (c: Context<AppEnv>) => {
      c.set('routeTemplate', template);
      try {
        return await run(c);
      } catch (error) {
        return outcomeResponse(c, error, log);
      }
    };

  app.get(
    `${FHIR_BASE_PATH}/metadata`,
    guarded(`${FHIR_BASE_PATH}/metadata`, async (c) =>
      send(c, capabilityStatement(sources, baseOf(c))),
    ),
  );
  app.get(
    `${FHIR_BASE_PATH}/:type/:id`,
    guarded(`${FHIR_BASE_PATH}/:type/:id`, async (c) => {
      const source = sourceOf(c.req.param('type') ?? '');
      const auth = await guardRequest(c, deps, source.scope);
      if (new URL(c.req.url).search.length > 1) rawQuery(c); // bounded, then ignored (_format, _pretty)
      const resource = await source.read({ db: context.db, auth }, c.req.param('id') ?? '');
      if (gate) await requireConsent(gate, context.db, auth.tenantId, resource, context.now());
      return send(c, resource);
    }),
  );
  app.get(
    `${FHIR_BASE_PATH}/:type`,
    guarded(`${FHIR_BASE_PATH}/:type`, async (c) => {
      const type = c.req.param('type') ?? '';
      const source = sourceOf(type);
      const auth = await guardRequest(c, deps, source.scope);
      const query = rawQuery(c);
      checkParameters(query, source.searchParams, type);
      const page = paging(query);
      const found = await source.search({ db: context.db, auth }, query, page);
      const { allowed, outcome } = gate
        ? await withoutUnconsented(gate, context.db, auth.tenantId, found.resources, context.now())
        : { allowed: found.resources, outcome: undefined };
      const base = baseOf(c);
      const self = new URL(`${base}/${type}`);
      for (const [name, values] of Object.entries(query)) {
        for (const value of values) self.searchParams.append(name, value);
      }
      const link: NonNullable<Bundle['link']> = [{ relation: 'self', url: self.toString() }];
      if (found.nextCursor) {
        const next = new URL(self);
        next.searchParams.set('_cursor', found.nextCursor);
        next.searchParams.set('_count', String(page.limit));
        link.push({ relation: 'next', url: next.toString() });
      }
      const bundle: Bundle = {
        resourceType: 'Bundle',
        type: 'searchset',
        timestamp: context.now().toISOString(),
        link,
        entry: [
          ...allowed.map((resource) => ({
            fullUrl: `${base}/${type}/${resource.id}`,
            resource,
            search: { mode: 'match' as const },
          })),
          ...(outcome ? [{ resource: outcome, search: { mode: 'outcome' as const } }] : []),
        ],
      };
      return send(c, bundle);
    }),
  );
  app.all(
    `${FHIR_BASE_PATH}/*`,
    guarded(`${FHIR_BASE_PATH}/*`, async (c) => {
      throw c.req.method === 'GET'
        ? new ApiError('not_found', `No FHIR interaction at ${c.req.path.slice(0, 120)}.`)
        : new ApiError('method_not_allowed', 'This FHIR endpoint is read-only: use GET.', {
            headers: { Allow: 'GET' },
          });
    }),
  );
}
