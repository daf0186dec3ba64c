/** FHIR client against the fake FHIR server: conformance, per-tenant tokens, SMART backend services. */
import type { Patient } from '@medplum/fhirtypes';
import { exportJWK, generateKeyPair } from 'jose';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { InMemoryTokenCache } from '../core/token-cache.ts';
import { describeFhirClientConformance } from '../ports/__fixtures__/fhir-client.case.ts';
import { rejection } from '../ports/__fixtures__/rejection.ts';
import { FakeFhirServer } from '../testing/fhir.ts';
import { createFhirClient, createTenantFhirClients, mapFhirError } from './index.ts';

const fast = { retry: { baseDelayMs: 1, maxDelayMs: 2 }, breaker: { consecutiveFailures: 50 } };

describeFhirClientConformance({
  name: 'fhir (client credentials)',
  setup() {
    const fake = new FakeFhirServer({ clients: { clinicbridge: { secret: 's3cret' } } });
    const client = createFhirClient({
      baseUrl: fake.baseUrl,
      auth: {
        kind: 'client_credentials',
        tokenUrl: fake.tokenUrl,
        clientId: 'clinicbridge',
        clientSecret: 's3cret',
        scope: 'system/*.cruds',
      },
      policies: fast,
    });
    return { client, fake, handlers: fake.handlers() };
  },
});

describe('fhir specifics', () => {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  const patient: Patient = { resourceType: 'Patient', name: [{ family: 'Yılmaz' }] };

  test('each tenant has its own server and its token under fhir:token:{tenant}, reused', async () => {
    const a = new FakeFhirServer({
      baseUrl: 'https://a.example/fhir',
      clients: { cb: { secret: 'a' } },
    });
    const b = new FakeFhirServer({
      baseUrl: 'https://b.example/fhir',
      clients: { cb: { secret: 'b' } },
    });
    server.use(...a.handlers(), ...b.handlers());
    const tokenCache = new InMemoryTokenCache();
    const fakes = { tnt_a: a, tnt_b: b } as Record<string, FakeFhirServer>;
    const clients = createTenantFhirClients({
      tokenCache,
      policies: fast,
      connectionFor: (tenant) => {
        const fake = fakes[tenant];
        if (!fake) return undefined;
        const secret = tenant === 'tnt_a' ? 'a' : 'b';
        return {
          baseUrl: fake.baseUrl,
          auth: {
            kind: 'client_credentials',
            tokenUrl: fake.tokenUrl,
            clientId: 'cb',
            clientSecret: secret,
          },
        };
      },
    });
    await clients.forTenant('tnt_a').create(patient);
    await clients.forTenant('tnt_a').search('Patient', { family: 'Yıl' });
    await clients.forTenant('tnt_b').create(patient);
    expect([a.tokenRequests, b.tokenRequests]).toEqual([1, 1]);
    expect([a.all('Patient').length, b.all('Patient').length]).toEqual([1, 1]);
    expect(tokenCache.keys().sort()).toEqual(['fhir:token:tnt_a', 'fhir:token:tnt_b']);
    expect(() => clients.forTenant('tnt_unknown')).toThrow(/no FHIR server/);
  });

  test('SMART backend services: a signed ES384 assertion gets a token; a forged one does not', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES384', { extractable: true });
    const fake = new FakeFhirServer({
      clients: { 'cb-system': { publicJwk: await exportJWK(publicKey), alg: 'ES384' } },
    });
    server.use(...fake.handlers());
    const smart = createFhirClient({
      baseUrl: fake.baseUrl,
      auth: {
        kind: 'private_key_jwt',
        tokenUrl: fake.tokenUrl,
        clientId: 'cb-system',
        privateKey: await exportJWK(privateKey),
        alg: 'ES384',
        kid: 'k1',
        scope: 'system/Patient.rs',
      },
      policies: fast,
    });
    const { resource } = await smart.create(patient);
    fake.expireTokens();
    // A 401 refreshes the token once, with a new assertion (a new jti).
    expect((await smart.read('Patient', resource.id ?? '')).id).toBe(resource.id);
    expect(fake.tokenRequests).toBe(2);

    const other = await generateKeyPair('ES384', { extractable: true });
    const forged = createFhirClient({
      baseUrl: fake.baseUrl,
      auth: {
        kind: 'private_key_jwt',
        tokenUrl: fake.tokenUrl,
        clientId: 'cb-system',
        privateKey: await exportJWK(other.privateKey),
        alg: 'ES384',
      },
      policies: fast,
    });
    expect((await rejection(forged.read('Patient', resource.id ?? ''))).code).toBe('auth_failed');
  });

  test('requests speak application/fhir+json and carry If-None-Exist and If-Match as given', async () => {
    const fake = new FakeFhirServer();
    const seen: Headers[] = [];
    server.use(...fake.handlers());
    server.events.on('request:start', ({ request }) => {
      seen.push(request.headers);
    });
    const client = createFhirClient({ baseUrl: fake.baseUrl, policies: fast });
    const { resource } = await client.create(patient, { ifNoneExist: { family: 'Yılmaz' } });
    await client.update({ ...resource, id: resource.id ?? '' }, { ifMatch: '1' });
    server.events.removeAllListeners();
    expect(seen[0]?.get('content-type')).toBe('application/fhir+json');
    expect(seen[0]?.get('accept')).toBe('application/fhir+json');
    expect(seen[0]?.get('if-none-exist')).toBe('family=Y%C4%B1lmaz');
    expect(seen[1]?.get('if-match')).toBe('W/"1"');
  });

  test('maps OperationOutcome replies by status and issue', () => {
    const reply = (status: number, code?: string) => ({
      status,
      headers: new Headers(),
      body: code
        ? {
            resourceType: 'OperationOutcome',
            issue: [{ severity: 'error', code, expression: ['Patient.id'] }],
          }
        : 'Bad gateway',
    });
    expect(mapFhirError(reply(412, 'multiple-matches'))).toEqual({
      code: 'conflict',
      providerCode: 'multiple-matches',
      fields: ['Patient.id'],
    });
    expect(mapFhirError(reply(422, 'business-rule'))?.code).toBe('rejected');
    expect(mapFhirError(reply(404, 'not-found'))?.code).toBeUndefined();
    expect(mapFhirError(reply(502))).toEqual({ providerCode: 'http_502' });
    expect(mapFhirError(reply(200))).toBeUndefined();
  });
});
