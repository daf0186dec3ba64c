/**
 * Honesty checks on `/openapi.json`: the server URL is `PUBLIC_URL` (or the
 * document's own origin), every OAuth scope is listed with what it grants,
 * `limit` carries its bounds, and `Idempotency-Key` is optional, as the
 * server treats it.
 */
import { MAX_PAGE_SIZE, OAUTH_TOKEN_PATH, scopes } from '@clinicbridge/sdk/contract';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { call, json, startTestApp, type TestApp } from '../../test/helpers/app.ts';
import { buildOpenApiDocument } from './document.ts';

interface Parameter {
  name: string;
  in: string;
  required: boolean;
  schema: Record<string, unknown>;
}
interface Document {
  servers: { url: string }[];
  paths: Record<string, Record<string, { parameters: Parameter[] }>>;
  components: {
    securitySchemes: {
      oauth2: {
        flows: { clientCredentials: { tokenUrl: string; scopes: Record<string, string> } };
      };
    };
  };
}

const operations = (doc: Document) =>
  Object.values(doc.paths).flatMap((item) => Object.values(item));
const flow = (doc: Document) => doc.components.securitySchemes.oauth2.flows.clientCredentials;

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ tenantCount: 1, env: { PUBLIC_URL: 'https://api.clinic.example/' } });
});
afterAll(() => t.close());

describe('/openapi.json', () => {
  test('names PUBLIC_URL as the server and the base of the token URL', async () => {
    const doc = await json<Document>(await t.app.request('/openapi.json'));
    expect(doc.servers).toEqual([{ url: 'https://api.clinic.example' }]);
    expect(flow(doc).tokenUrl).toBe(`https://api.clinic.example${OAUTH_TOKEN_PATH}`);
  });

  test('without PUBLIC_URL the server is the origin the document came from', () => {
    const doc = buildOpenApiDocument() as unknown as Document;
    expect(doc.servers).toEqual([{ url: '/' }]);
    expect(flow(doc).tokenUrl).toBe(OAUTH_TOKEN_PATH);
  });

  test('lists every OAuth scope with a description', () => {
    const listed = flow(buildOpenApiDocument() as unknown as Document).scopes;
    expect(Object.keys(listed).sort()).toEqual([...scopes].sort());
    for (const [scope, description] of Object.entries(listed)) {
      expect(description.length, scope).toBeGreaterThan(10);
    }
  });

  test('limit is an integer from 1 to the largest page', () => {
    const limits = operations(buildOpenApiDocument() as unknown as Document)
      .flatMap((op) => op.parameters)
      .filter((p) => p.in === 'query' && p.name === 'limit');
    expect(limits.length).toBeGreaterThan(10);
    for (const limit of limits) {
      expect(limit.schema).toEqual({ type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE });
    }
  });

  test('Idempotency-Key is optional, and a write without one does succeed', async () => {
    const keys = operations(buildOpenApiDocument() as unknown as Document)
      .flatMap((op) => op.parameters)
      .filter((p) => p.name === 'Idempotency-Key');
    expect(keys.length).toBeGreaterThan(10);
    for (const key of keys) expect(key.required).toBe(false);
    const pattern = new RegExp(String(keys[0]?.schema.pattern));
    expect(pattern.test('7c1e0d2a-book-ada')).toBe(true);
    expect(pattern.test('has space')).toBe(false);
    const res = await call(t.app, 'POST', '/api/v1/patients', {
      token: t.tenants[0]?.apiKey,
      body: { givenName: 'Ada', familyName: 'Lovelace' },
      idempotencyKey: null,
    });
    expect(res.status).toBe(201);
  });
});
