import { Writable } from 'node:stream';
import { listOperations } from '@clinicbridge/sdk/contract';
import { getRequestListener } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { builtOnce } from '../../test/helpers/adapter-response.ts';
import { call, json, startTestApp, type TestApp } from '../../test/helpers/app.ts';
import { createLogger } from './logger.ts';

let t: TestApp;
let token: string;
beforeAll(async () => {
  t = await startTestApp({ tenantCount: 1 });
  token = t.tenants[0]?.apiKey ?? '';
});
afterAll(() => t.close());

describe('ops endpoints', () => {
  test('/healthz and /readyz answer when the database is migrated', async () => {
    expect(await json(await t.app.request('/healthz'))).toEqual({ status: 'ok' });
    const ready = await t.app.request('/readyz');
    expect(ready.status).toBe(200);
    expect(await json(ready)).toMatchObject({ status: 'ready', pendingMigrations: [] });
  });

  test('/readyz is 503 and names the pending migrations before the database is migrated', async () => {
    const { openTestDatabase } = await import('../../test/helpers/database.ts');
    const { createApp } = await import('../app.ts');
    const fresh = await openTestDatabase({ migrate: false });
    try {
      const app = createApp({ database: fresh, config: t.config, logger: createLogger('silent') });
      const res = await app.request('/readyz');
      expect(res.status).toBe(503);
      expect(await json(res)).toMatchObject({
        status: 'not_ready',
        pendingMigrations: expect.arrayContaining(['0001-core']),
      });
    } finally {
      await fresh.close();
    }
  });

  test('/metrics counts requests by route template and status', async () => {
    await call(t.app, 'GET', '/api/v1/patients', { token });
    // Routes outside the contract are counted under the path they were registered with.
    await t.app.request('/openapi.json');
    await t.app.request('/oauth/token', { method: 'POST' });
    await t.app.request('/no/such/pat_01abc');
    const text = await (await t.app.request('/metrics')).text();
    expect(text).toMatch(
      /http_requests_total\{method="GET",route="\/api\/v1\/patients",status="200"\} \d+/,
    );
    expect(text).toMatch(/http_requests_total\{method="GET",route="\/openapi.json",status="200"\}/);
    expect(text).toMatch(
      /http_requests_total\{method="POST",route="\/oauth\/token",status="4\d\d"\}/,
    );
    expect(text).toMatch(/http_requests_total\{method="GET",route="unmatched",status="404"\}/);
    expect(text).not.toContain('/no/such');
    expect(text).toContain('http_request_duration_seconds_bucket');
    expect(text).not.toMatch(/pat_[a-z0-9]{26}/);
  });

  test('API answers pass the middleware as built: the Node adapter writes them in one call', async () => {
    // As on a started server: the adapter's own Response, which keeps its plain
    // status/body/headers (under its `cache` symbol) until something copies it.
    getRequestListener(t.app.fetch);
    const res = await call(t.app, 'POST', '/api/v1/patients', {
      token,
      body: { givenName: 'Ada', familyName: 'Once' },
    });
    expect(res.status).toBe(201);
    expect(builtOnce(res)).toBe(true);
  });

  test('API responses are not cacheable and carry security headers', async () => {
    const res = await call(t.app, 'GET', '/api/v1/patients', { token });
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const problem = await call(t.app, 'GET', '/api/v1/patients');
    expect(problem.headers.get('cache-control')).toBe('no-store');
  });

  test('X-Request-Id is echoed when sane and made up otherwise', async () => {
    const kept = await call(t.app, 'GET', '/api/v1/patients', {
      token,
      headers: { 'x-request-id': 'abc-123' },
    });
    expect(kept.headers.get('x-request-id')).toBe('abc-123');
    const replaced = await call(t.app, 'GET', '/api/v1/nothing', {
      headers: { 'x-request-id': 'bad id <script>' },
    });
    const id = replaced.headers.get('x-request-id');
    expect(id).toMatch(/^req_/);
    expect((await json(replaced)).requestId).toBe(id);
  });

  test('/openapi.json describes every operation with its scope, /docs renders it', async () => {
    const doc = await json<{
      openapi: string;
      paths: Record<string, Record<string, { operationId: string; 'x-required-scope': string }>>;
    }>(await t.app.request('/openapi.json'));
    expect(doc.openapi).toBe('3.1.0');
    for (const op of listOperations()) {
      const entry = doc.paths[op.path]?.[op.method.toLowerCase()];
      expect(entry?.operationId).toBe(op.id);
      expect(entry?.['x-required-scope']).toBe(op.scope);
    }
    const docs = await t.app.request('/docs');
    expect(await docs.text()).toContain('/openapi.json');
  });

  test('operations without a handler answer 501 not_implemented after authentication', async () => {
    const unauth = await call(t.app, 'GET', '/api/v1/imports');
    expect(unauth.status).toBe(401);
    const res = await call(t.app, 'GET', '/api/v1/imports', { token });
    expect(res.status).toBe(501);
    expect((await json(res)).code).toBe('not_implemented');
  });

  test('unexpected errors are a bare 500 without stack or SQL', async () => {
    const { createApp } = await import('../app.ts');
    const app = createApp({
      database: t.database,
      config: t.config,
      logger: createLogger('silent'),
      features: [
        {
          name: 'broken',
          handlers: {
            'imports.list': async () => {
              throw new Error('select * from secrets where x = 1');
            },
          },
        },
      ],
    });
    const res = await call(app, 'GET', '/api/v1/imports', { token });
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text).code).toBe('internal_error');
    expect(text).not.toContain('select');
    expect(text).not.toContain('.ts:');
  });
});

/** A logger at `info` writing into `lines`, one JSON line each. */
function capturedLogger(): { logger: ReturnType<typeof createLogger>; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(
        ...String(chunk)
          .split('\n')
          .filter((line) => line !== ''),
      );
      done();
    },
  });
  return { logger: createLogger('info', sink), lines };
}

describe('logs', () => {
  test('redact credentials and patient contact fields', () => {
    const { logger: log, lines } = capturedLogger();
    log.info(
      {
        apiKey: 'cbk_secret',
        patient: { email: 'ada@example.com', givenName: 'Ada' },
        requestId: 'r1',
      },
      'x',
    );
    const text = lines.join('');
    expect(text).not.toContain('cbk_secret');
    expect(text).not.toContain('ada@example.com');
    expect(text).not.toContain('"Ada"');
    expect(text).toContain('r1');
  });
});

describe('request log', () => {
  test('one line per request with its fixed fields only; the other lines stay redacted', async () => {
    const { logger, lines } = capturedLogger();
    const { createApp } = await import('../app.ts');
    const app = createApp({ database: t.database, config: t.config, logger });
    const res = await call(app, 'POST', '/api/v1/patients', {
      token,
      body: { givenName: 'Grace', familyName: 'Hopper', email: 'grace@example.com' },
      headers: { 'x-request-id': 'req_log_check' },
    });
    expect(res.status).toBe(201);
    logger.info({ patient: { email: 'grace@example.com' }, apiKey: token }, 'after');

    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const request = parsed.filter((line) => line.msg === 'request');
    expect(request).toHaveLength(1);
    expect(Object.keys(request[0] ?? {}).sort()).toEqual(
      [
        'durationMs',
        'level',
        'method',
        'msg',
        'requestId',
        'route',
        'service',
        'status',
        'tenantId',
        'time',
      ].sort(),
    );
    expect(request[0]).toMatchObject({
      requestId: 'req_log_check',
      method: 'POST',
      route: '/api/v1/patients',
      status: 201,
      tenantId: t.tenants[0]?.tenantId,
    });
    expect(parsed.find((line) => line.msg === 'after')).toMatchObject({
      patient: { email: '[redacted]' },
      apiKey: '[redacted]',
    });
    const text = lines.join('\n');
    expect(text).not.toContain('grace@example.com');
    expect(text).not.toContain('Hopper');
    expect(text).not.toContain(token);
  });
});
