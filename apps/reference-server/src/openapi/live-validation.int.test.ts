/**
 * Every operation of the served `/openapi.json`, sent to a started server
 * over real HTTP on 127.0.0.1, and every answer checked against the
 * document with Ajv (test/helpers/openapi-validator.ts): its status must be
 * declared, its headers and body must match. The requests target a tenant
 * populated through the API first. Then the answers that a plain request
 * does not produce: 401, 403, 404, 405, 413, 415, 422 (a reused
 * Idempotency-Key), 429, a replayed write, the token endpoint and the
 * inbound webhooks.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listOperations, type Operation } from '@clinicbridge/sdk/contract';
import { generateSecret, getScheme } from '@clinicbridge/webhooks';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { call, httpRequester, json, type Requester } from '../../test/helpers/app.ts';
import { exampleFromSchema } from '../../test/helpers/example-from-schema.ts';
import { eventFeatures, handledOperationIds } from '../../test/helpers/features.ts';
import { startTestServer, type TestServer } from '../../test/helpers/http-server.ts';
import { OpenApiValidator } from '../../test/helpers/openapi-validator.ts';
import { bodyFor, pathFor, populateTenant, type WorldIds } from '../../test/helpers/world.ts';
import { claimsFeature } from '../claims/feature.ts';
import { deliveryConfig } from '../delivery/config.ts';
import { exportsFeature } from '../exports/feature.ts';
import { resourceFeatures } from '../features.ts';
import { importsFeature } from '../imports/feature.ts';
import { inboundConfig } from '../inbound/config.ts';
import { moneyFeature } from '../money/feature.ts';
import { storageFeature } from '../storage/feature.ts';
import { teleRoomsFeature } from '../tele/feature.ts';
import { visasFeature } from '../visas/feature.ts';
import { buildOpenApiDocument } from './document.ts';

type Node = Record<string, unknown>;

const visaSecret = generateSecret();
const BODY_LIMIT = 65_536;
const features = [
  ...eventFeatures({
    ...deliveryConfig.parse({ WEBHOOK_DISPATCHER: 'false' }),
    ...inboundConfig.parse({ INBOUND_VISA_SECRET: visaSecret }),
  }),
  claimsFeature,
  visasFeature,
  teleRoomsFeature,
  moneyFeature,
  storageFeature,
  importsFeature,
  exportsFeature,
];
const implemented = handledOperationIds([...resourceFeatures, ...features]);

let running: TestServer;
let http: Requester;
let validator: OpenApiValidator;
let ids: WorldIds;
let admin: string;
const failures: string[] = [];
const answered = new Map<string, number>();

beforeAll(async () => {
  running = await startTestServer({
    tenantCount: 1,
    env: {
      BODY_LIMIT_BYTES: String(BODY_LIMIT),
      RATE_LIMIT_STANDARD_PER_MINUTE: '3',
      STORAGE_DIR: mkdtempSync(join(tmpdir(), 'openapi-live-')),
    },
    features,
  });
  http = httpRequester(running.server.url);
  admin = running.tenants[0]?.apiKey ?? '';
  const served = await fetch(`${running.server.url}/openapi.json`);
  validator = new OpenApiValidator((await served.json()) as Node);
  ids = await populateTenant(http, admin, running.tenants[0]?.clientId);
}, 120_000);
afterAll(async () => {
  await running?.server.close();
});

/** The declared responses of `method path` in the served document. */
function responsesOf(path: string, method: string): Node {
  const item = (validator.document.paths as Record<string, Node>)[path] ?? {};
  return ((item[method.toLowerCase()] ?? {}) as Node).responses as Node;
}

async function expectConforms(label: string, responses: Node, response: Response): Promise<void> {
  const found = await validator.check({ label, responses, response });
  failures.push(...found);
  expect(found).toEqual([]);
}

describe('outside the contract', () => {
  test('/oauth/token: a token for good client credentials, 401 for a wrong secret', async () => {
    const tenant = running.tenants[0];
    const form = (secret: string) =>
      fetch(`${running.server.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: tenant?.clientId ?? '',
          client_secret: secret,
        }),
      });
    const responses = responsesOf('/oauth/token', 'POST');
    const good = await form(tenant?.clientSecret ?? '');
    expect(good.status).toBe(200);
    await expectConforms('oauth.token', responses, good);
    const bad = await form('not-the-secret');
    expect(bad.status).toBe(401);
    await expectConforms('oauth.token', responses, bad);
  });

  test('/webhooks/{provider}: 202, then 200 for the same webhook, 401 unsigned, 404 unknown', async () => {
    const responses = responsesOf('/webhooks/{provider}', 'POST');
    const body = JSON.stringify({ type: 'visa.granted', data: { reference: 'V-1' } });
    const headers = getScheme('standard').signSync({
      id: 'msg_openapi_1',
      payload: body,
      secret: visaSecret,
    });
    const send = (provider: string, signed: Record<string, string>) =>
      fetch(`${running.server.url}/webhooks/${provider}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...signed },
        body,
      });
    for (const [provider, signed, status] of [
      ['visa', headers, 202],
      ['visa', headers, 200],
      ['visa', {}, 401],
      ['travel', headers, 404],
    ] as const) {
      const res = await send(provider, signed);
      expect(res.status, provider).toBe(status);
      await expectConforms(`webhooks.receive ${provider}`, responses, res);
    }
  });
});

const operationsById = new Map(listOperations().map((op) => [op.id, op]));
const documented = Object.entries(buildOpenApiDocument().paths as Record<string, Node>).flatMap(
  ([path, item]) =>
    Object.entries(item).map(([method, op]) => ({
      path,
      method,
      id: (op as Node).operationId as string,
    })),
);

/** The fixture body where the tests know one; otherwise one made from the documented schema. */
function requestBody(path: string, method: string, operation: Operation): unknown {
  const known = bodyFor(operation, ids);
  if (typeof known !== 'object' || known === null || Object.keys(known).length > 0) return known;
  const item = (validator.document.paths as Record<string, Node>)[path] ?? {};
  const content = (((item[method] as Node).requestBody as Node | undefined)?.content ?? {}) as Node;
  const schema = (content['application/json'] as Node | undefined)?.schema;
  return schema === undefined ? known : exampleFromSchema(schema, (s) => validator.resolve(s), ids);
}

/**
 * The request target: the operation's path with the world's ids (and any query it
 * already sets), `limit=2` on a list, and a made-up value for each other required
 * query parameter.
 */
function requestTarget(path: string, method: string, operation: Operation): string {
  const [base = '', preset = ''] = pathFor(operation, ids).split('?');
  const item = (validator.document.paths as Record<string, Node>)[path] ?? {};
  const params = (((item[method] as Node).parameters ?? []) as unknown[]).map((p) =>
    validator.resolve(p),
  );
  const query = new URLSearchParams(preset);
  if (operation.paginated) query.set('limit', '2');
  for (const param of params.filter((p) => p.in === 'query' && p.required === true)) {
    const name = String(param.name);
    if (query.has(name)) continue;
    query.set(
      name,
      String(exampleFromSchema(param.schema, (s) => validator.resolve(s), ids, name)),
    );
  }
  const text = query.toString();
  return text === '' ? base : `${base}?${text}`;
}

describe('every operation', () => {
  for (const { path, method, id } of documented) {
    const operation = operationsById.get(id);
    if (!operation) continue;
    test(`${method.toUpperCase()} ${path} (${id})`, async () => {
      const res = await call(http, operation.method, requestTarget(path, method, operation), {
        token: admin,
        body: requestBody(path, method, operation),
      });
      answered.set(id, res.status);
      await expectConforms(id, responsesOf(path, method), res);
    });
  }

  test('reads of the populated tenant succeed, and writes do', () => {
    const placeholder = /_a{26}$/;
    const reads = listOperations().filter(
      (op: Operation) =>
        op.method === 'GET' &&
        implemented.has(op.id) &&
        [...op.path.matchAll(/\{(\w+)\}/g)].every(([, name]) => {
          const id = ids[name ?? ''];
          return id !== undefined && id !== '' && !placeholder.test(id);
        }) &&
        // A search whose preset filter names a row this tenant lacks (the catalogue) is not one.
        ![...new URLSearchParams(pathFor(op, ids).split('?')[1] ?? '').values()].some(
          (value) => placeholder.test(value) || value === 'undefined',
        ),
    );
    expect(reads.length).toBeGreaterThan(15);
    for (const op of reads) expect(answered.get(op.id), op.id).toBe(200);
    const writes = listOperations().filter((op) => op.write && (answered.get(op.id) ?? 0) < 300);
    expect(writes.length).toBeGreaterThan(10);
  });
});

describe('the other answers', () => {
  const listPatients = () => responsesOf('/api/v1/patients', 'GET');
  const createPatient = () => responsesOf('/api/v1/patients', 'POST');

  test('401 without a credential, 403 without the scope, 404 for an unknown id', async () => {
    const none = await call(http, 'GET', '/api/v1/patients');
    expect(none.status).toBe(401);
    await expectConforms('no credential', listPatients(), none);
    const narrow = await json<{ apiKey: string }>(
      await call(http, 'POST', '/api/v1/integration-tokens', {
        token: admin,
        body: { name: 'narrow', scopes: ['read:events'] },
      }),
    );
    const forbidden = await call(http, 'GET', '/api/v1/patients', { token: narrow.apiKey });
    expect(forbidden.status).toBe(403);
    await expectConforms('no scope', listPatients(), forbidden);
    const missing = await call(http, 'GET', '/api/v1/patients/pat_0000000000000000', {
      token: admin,
    });
    expect(missing.status).toBe(404);
    await expectConforms('unknown id', responsesOf('/api/v1/patients/{patientId}', 'GET'), missing);
  });

  test('405 with Allow for a method the path lacks', async () => {
    const res = await call(http, 'PUT', '/api/v1/patients', { token: admin, body: {} });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST, GET');
    const component = (validator.document.components as { responses: Node }).responses;
    await expectConforms('wrong method', component.MethodNotAllowed as Node, res);
  });

  test('413 for a body over the limit, 415 for a body that is not JSON', async () => {
    const big = await call(http, 'POST', '/api/v1/patients', {
      token: admin,
      rawBody: JSON.stringify({ givenName: 'x'.repeat(BODY_LIMIT), familyName: 'y' }),
    });
    expect(big.status).toBe(413);
    await expectConforms('too large', createPatient(), big);
    const text = await call(http, 'POST', '/api/v1/patients', {
      token: admin,
      rawBody: 'givenName=Ada',
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(415);
    await expectConforms('not JSON', createPatient(), text);
  });

  test('a replayed write is marked, a reused key with another body is 422', async () => {
    const key = `openapi-replay-${Date.now()}`;
    const body = { givenName: 'Ada', familyName: 'Replay' };
    const first = await call(http, 'POST', '/api/v1/patients', {
      token: admin,
      body,
      idempotencyKey: key,
    });
    expect(first.status).toBe(201);
    await expectConforms('first write', createPatient(), first);
    const again = await call(http, 'POST', '/api/v1/patients', {
      token: admin,
      body,
      idempotencyKey: key,
    });
    expect(again.headers.get('idempotency-replayed')).toBe('true');
    await expectConforms('replayed write', createPatient(), again);
    const other = await call(http, 'POST', '/api/v1/patients', {
      token: admin,
      body: { ...body, familyName: 'Other' },
      idempotencyKey: key,
    });
    expect(other.status).toBe(422);
    await expectConforms('reused key', createPatient(), other);
  });

  test('429 with Retry-After over the rate limit', async () => {
    const standard = await json<{ apiKey: string }>(
      await call(http, 'POST', '/api/v1/integration-tokens', {
        token: admin,
        body: { name: 'slow', scopes: ['read:patients'] },
      }),
    );
    let res = await call(http, 'GET', '/api/v1/patients', { token: standard.apiKey });
    for (let i = 0; i < 5 && res.status !== 429; i++) {
      await res.arrayBuffer();
      res = await call(http, 'GET', '/api/v1/patients', { token: standard.apiKey });
    }
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    await expectConforms('rate limited', listPatients(), res);
  });

  test('no answer departed from the document', () => {
    expect(failures).toEqual([]);
  });
});
