/**
 * @clinicbridge/adapters/fhir — the `FhirClient` port over a FHIR R4
 * server's RESTful API (HAPI FHIR, Medplum, cloud FHIR stores). One client
 * per server; `createTenantFhirClients` keeps one per tenant (clinic), each
 * with its own breaker and its token cached under `fhir:token:{tenant}` in
 * a shared token cache. Authentication: client credentials with a secret,
 * or SMART Backend Services (`private_key_jwt`, RS384/ES384).
 */
import type { AdapterOptions } from '../core/adapter-options.ts';
import { ProviderError } from '../core/errors.ts';
import { InMemoryTokenCache, type TokenCache } from '../core/token-cache.ts';
import type { FhirClient } from '../ports/fhir.ts';
import type { FhirAuth } from './auth.ts';
import { createFhirClient } from './client.ts';

export type { FhirAuth } from './auth.ts';
export { createFhirClient, type FhirClientOptions } from './client.ts';
export { mapFhirError, outcomeIssue } from './errors.ts';

/**
 * Where one tenant's FHIR server is and how to authenticate.
 *
 * @example
 * const connection: FhirConnection = { baseUrl: 'https://hapi.clinic.example/fhir', auth: { kind: 'none' } };
 */
export interface FhirConnection {
  baseUrl: string;
  auth: FhirAuth;
}

/**
 * Settings of {@link createTenantFhirClients}.
 *
 * @example
 * const options: TenantFhirClientsOptions = { connectionFor: (tenant) => connections[tenant] };
 */
export interface TenantFhirClientsOptions extends Omit<AdapterOptions, 'baseUrl'> {
  /** The tenant's server; `undefined` when the tenant has none. */
  connectionFor: (tenantRef: string) => FhirConnection | undefined;
  /** Shared token storage. Default in memory. */
  tokenCache?: TokenCache;
  /** Cache key of a tenant's token. Default `fhir:token:{tenant}`. */
  tokenKey?: (tenantRef: string) => string;
  provider?: string;
  now?: () => number;
}

/**
 * FHIR clients by tenant.
 *
 * @example
 * const patient = await clients.forTenant('tnt_1').read('Patient', 'f001');
 */
export interface TenantFhirClients {
  forTenant(tenantRef: string): FhirClient;
}

/**
 * One FHIR client per tenant, created on first use and kept.
 *
 * @example
 * const clients = createTenantFhirClients({ connectionFor: (tenant) => registry.fhir(tenant), tokenCache });
 * const { resources } = await clients.forTenant('tnt_1').search('ImagingStudy', { patient: 'Patient/f001' });
 */
export function createTenantFhirClients(options: TenantFhirClientsOptions): TenantFhirClients {
  const cache = options.tokenCache ?? new InMemoryTokenCache();
  const tokenKey = options.tokenKey ?? ((tenant: string) => `fhir:token:${tenant}`);
  const clients = new Map<string, FhirClient>();
  const { connectionFor, tokenCache: _cache, tokenKey: _key, ...shared } = options;
  return {
    forTenant(tenantRef) {
      const existing = clients.get(tenantRef);
      if (existing) return existing;
      const connection = connectionFor(tenantRef);
      if (!connection) {
        throw new ProviderError({
          code: 'invalid_request',
          provider: options.provider ?? 'fhir',
          operation: 'fhir.connect',
          fields: ['tenantRef'],
          message: 'This tenant has no FHIR server configured; add its connection first.',
        });
      }
      const client = createFhirClient({
        ...shared,
        baseUrl: connection.baseUrl,
        auth: connection.auth,
        tokenCache: cache,
        tokenKey: tokenKey(tenantRef),
      });
      clients.set(tenantRef, client);
      return client;
    },
  };
}
