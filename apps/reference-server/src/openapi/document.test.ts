/**
 * Honesty checks on `/openapi.json`: the server URL is `PUBLIC_URL` (or the
 * document's own origin), every OAuth scope is listed with what it grants,
 * every parameter is bounded, `Idempotency-Key` is optional, as the server
 * treats it, bodies are named components, every operation declares the
 * problem statuses it can answer, and the token and inbound webhook routes
 * are described.
 */
import {
  listOperations,
  MAX_PAGE_SIZE,
  namedSchemas,
  OAUTH_TOKEN_PATH,
  scopes,
} from '@clinicbridge/sdk/contract';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { call, json, startTestApp, type TestApp } from '../../test/helpers/app.ts';
import { buildOpenApiDocument } from './document.ts';

interface Parameter {
  name: string;
  in: string;
  required: boolean;
  schema: Record<string, unknown>;
}
type Ref = { $ref: string };
interface OperationObject {
  operationId: string;
  parameters?: (Parameter | Ref)[];
  requestBody?: { content: Record<string, { schema: Ref }> };
  responses: Record<string, Ref | { content?: Record<string, { schema: Ref }> }>;
}
interface Document {
  servers: { url: string }[];
  paths: Record<string, Record<string, OperationObject>>;
  components: {
    schemas: Record<string, unknown>;
    parameters: Record<string, Parameter>;
    responses: Record<string, unknown>;
    securitySchemes: {
      oauth2: {
        flows: { clientCredentials: { tokenUrl: string; scopes: Record<string, string> } };
      };
    };
  };
}

const operations = (doc: Document) =>
  Object.values(doc.paths).flatMap((item) => Object.values(item));
const parametersOf = (doc: Document, op: OperationObject): Parameter[] =>
  (op.parameters ?? []).map((p) =>
    '$ref' in p ? (doc.components.parameters[p.$ref.split('/').pop() ?? ''] as Parameter) : p,
  );
const document = () => buildOpenApiDocument() as unknown as Document;
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
    const doc = document();
    const limits = operations(doc)
      .flatMap((op) => parametersOf(doc, op))
      .filter((p) => p.in === 'query' && p.name === 'limit');
    expect(limits.length).toBeGreaterThan(10);
    for (const limit of limits) {
      expect(limit.schema).toEqual({ type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE });
    }
  });

  test('Idempotency-Key is optional, and a write without one does succeed', async () => {
    const doc = document();
    const keys = operations(doc)
      .flatMap((op) => parametersOf(doc, op))
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

/** Whether a parameter's schema bounds what it accepts (length, pattern, set or range). */
function bounded(schema: Record<string, unknown>): boolean {
  const alternatives = (schema.anyOf ?? schema.oneOf) as Record<string, unknown>[] | undefined;
  if (alternatives) return alternatives.every(bounded);
  if ('enum' in schema || 'const' in schema) return true;
  if (schema.type === 'boolean') return true;
  if (schema.type === 'integer' || schema.type === 'number') {
    return 'maximum' in schema && 'minimum' in schema;
  }
  if (schema.type === 'string') return 'maxLength' in schema || 'pattern' in schema;
  return false;
}

describe('completeness', () => {
  test('every parameter is bounded', () => {
    const doc = document();
    const unbounded = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.values(item).flatMap((op) =>
        parametersOf(doc, op)
          .filter((p) => !bounded(p.schema))
          .map((p) => `${path} ${p.in} ${p.name}: ${JSON.stringify(p.schema)}`),
      ),
    );
    expect(unbounded).toEqual([]);
  });

  test('request and response bodies are named components; resources keep their names', () => {
    const doc = document();
    // The inbound webhook's body is the provider's own payload, any JSON object.
    const bodies = operations(doc).flatMap((op) => [
      ...(op.operationId === 'webhooks.receive'
        ? []
        : Object.values(op.requestBody?.content ?? {})),
      ...Object.values(op.responses).flatMap((r) =>
        'content' in r ? Object.values(r.content ?? {}) : [],
      ),
    ]);
    for (const body of bodies) {
      if ('$ref' in body.schema) expect(body.schema.$ref).toMatch(/^#\/components\/schemas\/\w+$/);
      else expect(body.schema).toMatchObject({ allOf: [{ $ref: '#/components/schemas/Problem' }] });
    }
    for (const name of [...Object.keys(namedSchemas), 'PatientPage', 'PatientsCreateRequest']) {
      expect(doc.components.schemas, name).toHaveProperty(name);
    }
    const get = doc.paths['/api/v1/patients/{patientId}']?.get;
    expect(get?.responses['200']).toMatchObject({
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Patient' } } },
    });
  });

  test('every component but MethodNotAllowed is referenced', () => {
    const doc = document();
    const text = JSON.stringify({ ...doc, components: undefined }) + JSON.stringify(doc.components);
    const unused = Object.entries(doc.components)
      .filter(([kind]) => kind !== 'securitySchemes')
      .flatMap(([kind, map]) =>
        Object.keys(map as object).filter(
          (name) => !text.includes(`"#/components/${kind}/${name}"`),
        ),
      );
    expect(unused).toEqual(['MethodNotAllowed']);
  });

  test('every operation declares the problem statuses it can answer', () => {
    for (const op of listOperations()) {
      const declared = Object.keys(
        document().paths[op.path]?.[op.method.toLowerCase()]?.responses ?? {},
      );
      const expected = ['400', '401', '403', '404', '413', '415', '429', '500', '501', '503'];
      if (op.write) expected.push('409', '422');
      expect(declared, op.id).toEqual(expect.arrayContaining([String(op.status), ...expected]));
    }
    const notFound = document().components.responses.NotFound as Record<string, never>;
    expect(notFound).toMatchObject({
      content: {
        'application/problem+json': {
          schema: { properties: { status: { const: 404 }, code: { enum: ['not_found'] } } },
        },
      },
    });
  });

  test('describes the token endpoint and the inbound webhooks', () => {
    const doc = document();
    expect(doc.paths[OAUTH_TOKEN_PATH]?.post?.requestBody?.content).toHaveProperty(
      'application/x-www-form-urlencoded',
    );
    expect(Object.keys(doc.paths['/webhooks/{provider}']?.post?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '202', '401', '404', '413']),
    );
  });
});
