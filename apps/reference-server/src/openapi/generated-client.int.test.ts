/**
 * A client generated from the OpenAPI document the way a partner would
 * (`openapi-typescript` types, `openapi-fetch` calls): the committed types
 * (test/generated/api.ts, type-checked with the package) match the current
 * document, and the client registers, reads and lists patients on a started
 * server and gets a typed problem for an unknown one.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import createClient from 'openapi-fetch';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { paths, SchemaPatient, SchemaProblem } from '../../test/generated/api.ts';
import { CLIENT_TYPES_FILE, generateClientTypes } from '../../test/helpers/client-types.ts';
import { startTestServer, type TestServer } from '../../test/helpers/http-server.ts';
import { buildOpenApiDocument } from './document.ts';

let running: TestServer;
beforeAll(async () => {
  running = await startTestServer({ tenantCount: 1 });
}, 60_000);
afterAll(async () => {
  await running?.server.close();
});

test('the committed client types are generated from the current document', async () => {
  const committed = readFileSync(resolve(import.meta.dirname, '../..', CLIENT_TYPES_FILE), 'utf8');
  // Out of date? `pnpm --filter @clinicbridge/reference-server openapi:client`.
  expect(await generateClientTypes(buildOpenApiDocument())).toBe(committed);
}, 60_000);

test('the generated client registers, reads and lists patients, and types its problems', async () => {
  const client = createClient<paths>({
    baseUrl: running.server.url,
    headers: { authorization: `Bearer ${running.tenants[0]?.apiKey}` },
  });
  const created = await client.POST('/api/v1/patients', {
    body: { givenName: 'Ada', familyName: 'Lovelace', email: 'ada@example.com' },
    params: { header: { 'Idempotency-Key': `generated-client-${Date.now()}` } },
  });
  expect(created.response.status).toBe(201);
  const patient: SchemaPatient | undefined = created.data;
  expect(patient?.givenName).toBe('Ada');

  const read = await client.GET('/api/v1/patients/{patientId}', {
    params: { path: { patientId: patient?.id ?? '' } },
  });
  expect(read.data?.email).toBe('ada@example.com');

  const listed = await client.GET('/api/v1/patients', { params: { query: { limit: 10 } } });
  expect(listed.data?.data.map((p) => p.id)).toContain(patient?.id);

  const missing = await client.GET('/api/v1/patients/{patientId}', {
    params: { path: { patientId: 'pat_0000000000000000' } },
  });
  const problem: SchemaProblem | undefined = missing.error;
  expect(missing.response.status).toBe(404);
  expect(problem?.code).toBe('not_found');

  // The types refuse what the server refuses.
  await client.POST('/api/v1/patients', {
    // @ts-expect-error familyName is required
    body: { givenName: 'Only' },
  });
});
