/**
 * The FHIR R4 client on the resilience core: one provider client per FHIR
 * server (its own breaker and bulkhead), `application/fhir+json` both ways,
 * OperationOutcome failures mapped by `mapFhirError`. Reads and searches
 * are retried on transient failures; writes only when they cannot act twice
 * (a conditional create, a PUT of the whole resource). Search follows
 * `Bundle.link[next]` only on the same server, within a page and resource
 * bound, so a hostile or broken server can neither loop the client nor
 * lure its token to another host.
 */
import type { Bundle, ExtractResource, Resource, ResourceType } from '@medplum/fhirtypes';
import { z } from 'zod';
import { type AdapterOptions, pickAdapterOptions, segment } from '../core/adapter-options.ts';
import { createProviderClient, type ProviderClient } from '../core/client.ts';
import { ProviderError } from '../core/errors.ts';
import { InMemoryTokenCache, type TokenCache } from '../core/token-cache.ts';
import {
  bundleMatches,
  type FhirClient,
  type FhirCreateOptions,
  type FhirCreateResult,
  FhirIdSchema,
  type FhirSearchOptions,
  type FhirSearchParams,
  type FhirSearchResult,
  type FhirUpdateOptions,
  fhirQuery,
  ResourceTypeSchema,
  versionOf,
} from '../ports/fhir.ts';
import { type FhirAuth, fhirAuthStrategy } from './auth.ts';
import { mapFhirError } from './errors.ts';

const FHIR_JSON = 'application/fhir+json';
const DEFAULT_MAX_PAGES = 10;
const DEFAULT_MAX_RESOURCES = 1_000;

const AnyResource = z.looseObject({ resourceType: z.string(), id: z.string().optional() });
const SearchBundle = z.looseObject({
  resourceType: z.literal('Bundle'),
  total: z.number().int().nonnegative().optional(),
  link: z.array(z.looseObject({ relation: z.string(), url: z.string() })).optional(),
  entry: z.array(z.looseObject({ resource: AnyResource.optional() })).optional(),
});

/**
 * Settings of {@link createFhirClient}.
 *
 * @example
 * const options: FhirClientOptions = { baseUrl: 'https://hapi.example/fhir', auth: { kind: 'none' } };
 */
export interface FhirClientOptions extends AdapterOptions {
  /** The server's base URL, without a trailing slash (`https://hapi.example/fhir`). */
  baseUrl: string;
  auth?: FhirAuth;
  /** Label in errors, metrics and audit rows. Default `fhir`. */
  provider?: string;
  /** Token storage (the server's shared cache). Default in memory. */
  tokenCache?: TokenCache;
  /** Key of this server's token in the cache. Default `fhir:token:{baseUrl}`. */
  tokenKey?: string;
  now?: () => number;
}

/**
 * A FHIR client for one server.
 *
 * @example
 * const fhir = createFhirClient({
 *   baseUrl: 'https://hapi.example/fhir',
 *   auth: { kind: 'client_credentials', tokenUrl: 'https://hapi.example/auth/token', clientId: 'cb', clientSecret: process.env.FHIR_CLIENT_SECRET! },
 * });
 * const patient = await fhir.read('Patient', 'f001');
 */
export function createFhirClient(options: FhirClientOptions): FhirClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const provider = options.provider ?? 'fhir';
  const auth = fhirAuthStrategy(options.auth ?? { kind: 'none' }, {
    provider,
    cache: options.tokenCache ?? new InMemoryTokenCache(),
    cacheKey: options.tokenKey ?? `fhir:token:${baseUrl}`,
    fetch: options.fetch,
    now: options.now,
  });
  const client: ProviderClient = createProviderClient({
    provider,
    baseUrl,
    ...(auth ? { auth } : {}),
    headers: { accept: FHIR_JSON },
    mapError: mapFhirError,
    ...pickAdapterOptions(options),
  });

  const invalid = (operation: string, fields: string[], message: string) =>
    new ProviderError({ code: 'invalid_request', provider, operation, fields, message });
  const unexpected = (operation: string, message: string) =>
    new ProviderError({ code: 'provider_unavailable', provider, operation, message });

  function checkType(type: string, operation: string): void {
    if (!ResourceTypeSchema.safeParse(type).success) {
      throw invalid(operation, ['resourceType'], 'The resource type is not a FHIR type name.');
    }
  }

  function checkId(id: string | undefined, operation: string): string {
    if (id === undefined || !FhirIdSchema.safeParse(id).success) {
      throw invalid(operation, ['id'], 'The id is not a FHIR id (1–64 of A–Z a–z 0–9 - .).');
    }
    return id;
  }

  /** The body as a resource of `type`, with the version from the ETag when meta lacks it. */
  function asResource<T extends Resource>(
    body: unknown,
    type: string,
    headers: Headers,
    operation: string,
  ): T {
    const parsed = AnyResource.safeParse(body);
    if (!parsed.success || parsed.data.resourceType !== type) {
      throw unexpected(operation, `The FHIR server answered without a ${type}; check the server.`);
    }
    const resource = parsed.data as unknown as T;
    const version = versionOf(headers.get('etag'));
    if (version && !resource.meta?.versionId) {
      return { ...resource, meta: { ...resource.meta, versionId: version } };
    }
    return resource;
  }

  /** The path of a `next` link relative to the base URL, or undefined when it leaves the server. */
  function nextPath(url: string): string | undefined {
    let next: URL;
    let base: URL;
    try {
      next = new URL(url, `${baseUrl}/`);
      base = new URL(`${baseUrl}/`);
    } catch {
      return undefined;
    }
    if (next.origin !== base.origin || !next.pathname.startsWith(base.pathname)) return undefined;
    return `${next.pathname.slice(base.pathname.length)}${next.search}`;
  }

  return {
    provider,
    baseUrl,

    async read<K extends ResourceType>(type: K, id: string) {
      checkType(type, 'fhir.read');
      checkId(id, 'fhir.read');
      const response = await client.send({
        operation: 'fhir.read',
        path: `${segment(type)}/${segment(id)}`,
      });
      return asResource<ExtractResource<K>>(response.data, type, response.headers, 'fhir.read');
    },

    async search<K extends ResourceType>(
      type: K,
      params?: FhirSearchParams,
      bounds: FhirSearchOptions = {},
    ): Promise<FhirSearchResult<ExtractResource<K>>> {
      checkType(type, 'fhir.search');
      const maxPages = Math.max(1, bounds.maxPages ?? DEFAULT_MAX_PAGES);
      const maxResources = Math.max(1, bounds.maxResources ?? DEFAULT_MAX_RESOURCES);
      const query = fhirQuery(params);
      let path: string | undefined = query ? `${segment(type)}?${query}` : segment(type);
      const resources: ExtractResource<K>[] = [];
      let pages = 0;
      let total: number | undefined;
      while (path !== undefined) {
        const page = await client.json({ operation: 'fhir.search', path, schema: SearchBundle });
        pages += 1;
        total ??= page.total;
        for (const resource of bundleMatches<ExtractResource<K>>(page as unknown as Bundle)) {
          if (resources.length >= maxResources) return { resources, pages, truncated: true, total };
          resources.push(resource);
        }
        const next = page.link?.find((link) => link.relation === 'next')?.url;
        if (next === undefined) return { resources, pages, truncated: false, total };
        if (pages >= maxPages) return { resources, pages, truncated: true, total };
        path = nextPath(next);
        if (path === undefined) {
          throw unexpected(
            'fhir.search',
            'The FHIR server offered a next page on another host; it was not followed.',
          );
        }
      }
      return { resources, pages, truncated: false, total };
    },

    async create<T extends Resource>(
      resource: T,
      createOptions: FhirCreateOptions = {},
    ): Promise<FhirCreateResult<T>> {
      checkType(resource.resourceType, 'fhir.create');
      const conditional = createOptions.ifNoneExist !== undefined;
      const response = await client.send({
        operation: 'fhir.create',
        method: 'post',
        path: segment(resource.resourceType),
        json: resource,
        headers: {
          'content-type': FHIR_JSON,
          prefer: 'return=representation',
          ...(conditional ? { 'if-none-exist': fhirQuery(createOptions.ifNoneExist) } : {}),
        },
        // A conditional create finds its own earlier success, so a retry cannot duplicate.
        idempotent: conditional,
      });
      const outcome = response.status === 201 ? 'created' : 'existing';
      if (response.data === undefined) {
        // `Prefer: return=minimal` servers answer with a Location only: read it.
        const location =
          response.headers.get('location') ?? response.headers.get('content-location');
        const id = location?.match(/\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?\/?$/)?.[1];
        if (!id) throw unexpected('fhir.create', 'The FHIR server answered without the resource.');
        const type = resource.resourceType as ResourceType;
        return { resource: (await this.read(type, id)) as unknown as T, outcome };
      }
      return {
        resource: asResource<T>(
          response.data,
          resource.resourceType,
          response.headers,
          'fhir.create',
        ),
        outcome,
      };
    },

    async update<T extends Resource>(
      resource: T & { id: string },
      updateOptions: FhirUpdateOptions = {},
    ): Promise<T> {
      checkType(resource.resourceType, 'fhir.update');
      const id = checkId(resource.id, 'fhir.update');
      const version = updateOptions.ifMatch;
      if (version !== undefined && !/^[A-Za-z0-9\-.]{1,64}$/.test(version)) {
        throw invalid('fhir.update', ['ifMatch'], 'The version to match is not a FHIR version id.');
      }
      const response = await client.send({
        operation: 'fhir.update',
        method: 'put',
        path: `${segment(resource.resourceType)}/${segment(id)}`,
        json: resource,
        headers: {
          'content-type': FHIR_JSON,
          prefer: 'return=representation',
          ...(version !== undefined ? { 'if-match': `W/"${version}"` } : {}),
        },
        idempotent: true,
      });
      if (response.data === undefined)
        return this.read(resource.resourceType as ResourceType, id) as unknown as Promise<T>;
      return asResource<T>(response.data, resource.resourceType, response.headers, 'fhir.update');
    },
  };
}
