/**
 * The `FhirClient` port: the FHIR R4 RESTful API as a clinic's server
 * (HAPI FHIR, Medplum, Azure, Google) exposes it — read, search that
 * follows `Bundle.link[next]` within a bound, create (conditional with
 * `If-None-Exist`) and update (guarded with `If-Match`). Resources are the
 * `@medplum/fhirtypes` R4 types. Failures are `ProviderError`s whose
 * `providerCode` is the OperationOutcome issue code (`not-found`,
 * `multiple-matches`, `conflict`, `business-rule`, …) and whose `fields`
 * are the issue expressions.
 */
import type { Bundle, ExtractResource, Resource, ResourceType } from '@medplum/fhirtypes';
import { z } from 'zod';

export type { Bundle, ExtractResource, Resource, ResourceType } from '@medplum/fhirtypes';

/**
 * A FHIR logical id: 1–64 of `A–Z a–z 0–9 - .` (R4 `id` datatype).
 *
 * @example
 * FhirIdSchema.parse('f001');
 */
export const FhirIdSchema = z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/, 'FHIR id');

/**
 * A resource type name as it appears in a URL (`Patient`, `ClaimResponse`).
 *
 * @example
 * ResourceTypeSchema.parse('Patient');
 */
export const ResourceTypeSchema = z.string().regex(/^[A-Z][A-Za-z]{1,63}$/, 'FHIR resource type');

/**
 * Search parameters: a value, or several for a repeated parameter
 * (`date=ge2026-01-01&date=lt2026-02-01`); `undefined` entries are left out.
 *
 * @example
 * const params: FhirSearchParams = { identifier: 'urn:oid:1.2|738472983', _count: 50 };
 */
export type FhirSearchParams = Readonly<
  Record<string, string | number | readonly (string | number)[] | undefined>
>;

/**
 * Bounds of one search.
 *
 * @example
 * await fhir.search('Patient', { family: 'Heuvel' }, { maxPages: 5 });
 */
export interface FhirSearchOptions {
  /** Pages fetched at most, the first included. Default 10. */
  maxPages?: number;
  /** Resources returned at most. Default 1,000. */
  maxResources?: number;
}

/**
 * Matches of a search (`mode: match` entries of every page read).
 *
 * @example
 * const { resources, truncated } = await fhir.search('Encounter', { patient: 'Patient/f001' });
 */
export interface FhirSearchResult<T extends Resource> {
  resources: T[];
  /** Pages read. */
  pages: number;
  /** True when a bound stopped the search while the server offered another page. */
  truncated: boolean;
  /** `Bundle.total`, when the server counted. */
  total: number | undefined;
}

/**
 * Result of a create: `created` (201) or, for a conditional create whose
 * criteria matched one resource, `existing` (200) with that resource.
 *
 * @example
 * const { resource, outcome } = await fhir.create(patient, { ifNoneExist: { identifier: 'urn:oid:1|42' } });
 */
export interface FhirCreateResult<T extends Resource> {
  resource: T;
  outcome: 'created' | 'existing';
}

/**
 * Options of a create.
 *
 * @example
 * const options: FhirCreateOptions = { ifNoneExist: { identifier: 'https://clinicbridge.dev/claim|clm_1' } };
 */
export interface FhirCreateOptions {
  /** Conditional create: search criteria sent as `If-None-Exist`. */
  ifNoneExist?: FhirSearchParams;
}

/**
 * Options of an update.
 *
 * @example
 * await fhir.update(patient, { ifMatch: patient.meta?.versionId });
 */
export interface FhirUpdateOptions {
  /** Version the update is based on, sent as `If-Match: W/"<version>"`; 412 when it moved on. */
  ifMatch?: string | undefined;
}

/**
 * A FHIR R4 server.
 *
 * @example
 * const patient = await fhir.read('Patient', 'f001');
 * const encounters = await fhir.search('Encounter', { subject: 'Patient/f001' });
 */
export interface FhirClient {
  readonly provider: string;
  /** The server's base URL (`https://fhir.example/r4`). */
  readonly baseUrl: string;
  read<K extends ResourceType>(type: K, id: string): Promise<ExtractResource<K>>;
  search<K extends ResourceType>(
    type: K,
    params?: FhirSearchParams,
    options?: FhirSearchOptions,
  ): Promise<FhirSearchResult<ExtractResource<K>>>;
  create<T extends Resource>(
    resource: T,
    options?: FhirCreateOptions,
  ): Promise<FhirCreateResult<T>>;
  update<T extends Resource>(resource: T & { id: string }, options?: FhirUpdateOptions): Promise<T>;
}

/**
 * The version of a resource from its `meta` or an `ETag` (`W/"3"` → `3`).
 *
 * @example
 * versionOf('W/"3"'); // '3'
 */
export function versionOf(etagOrVersion: string | null | undefined): string | undefined {
  if (!etagOrVersion) return undefined;
  const match = /^(?:W\/)?"?([^"]+)"?$/.exec(etagOrVersion.trim());
  return match?.[1];
}

/**
 * A search's parameters as a query string, repeated parameters kept.
 *
 * @example
 * fhirQuery({ date: ['ge2026-01-01', 'lt2026-02-01'], _count: 10 }); // 'date=ge2026-01-01&date=lt2026-02-01&_count=10'
 */
export function fhirQuery(params: FhirSearchParams | undefined): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params ?? {})) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) query.append(name, String(one));
  }
  return query.toString();
}

/**
 * The resources of a Bundle's `match` entries (entries without a search mode count as matches).
 *
 * @example
 * const patients = bundleMatches<Patient>(bundle);
 */
export function bundleMatches<T extends Resource>(bundle: Bundle): T[] {
  const out: T[] = [];
  for (const entry of bundle.entry ?? []) {
    if (!entry.resource) continue;
    if (entry.search?.mode && entry.search.mode !== 'match') continue;
    out.push(entry.resource as T);
  }
  return out;
}
