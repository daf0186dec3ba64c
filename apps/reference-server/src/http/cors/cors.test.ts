/**
 * CORS by `CORS_ORIGINS`: the preflight from an allowed origin, one from
 * another origin, the headers of actual answers (a success and an error),
 * and no CORS at all when the list is empty.
 */
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { builtOnce } from '../../../test/helpers/adapter-response.ts';
import { call, startTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { createApp } from '../../app.ts';
import { loadConfig } from '../../config/index.ts';
import { createLogger } from '../../observability/logger.ts';
import { CORS_EXPOSE_HEADERS, corsFor } from './index.ts';

const ALLOWED = 'https://app.clinic.example';
const OTHER = 'https://evil.example';

let t: TestApp;
let token: string;
beforeAll(async () => {
  t = await startTestApp({
    tenantCount: 1,
    env: { CORS_ORIGINS: `${ALLOWED}, http://127.0.0.1:5173` },
  });
  token = t.tenants[0]?.apiKey ?? '';
});
afterAll(() => t.close());

function preflight(path: string, origin: string, method = 'POST') {
  return t.app.request(path, {
    method: 'OPTIONS',
    headers: {
      Origin: origin,
      'Access-Control-Request-Method': method,
      'Access-Control-Request-Headers': 'authorization, content-type, idempotency-key, traceparent',
    },
  });
}

const corsHeaders = (res: Response) =>
  [...res.headers.keys()].filter((name) => name.startsWith('access-control-'));

describe('CORS', () => {
  test('an allowed origin gets a 204 preflight naming the methods and headers the API uses', async () => {
    for (const path of ['/api/v1/patients', '/oauth/token', '/openapi.json']) {
      const res = await preflight(path, ALLOWED);
      expect(res.status, path).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe(ALLOWED);
      expect(res.headers.get('access-control-allow-methods')).toBe('GET,POST,PATCH,DELETE');
      expect(res.headers.get('access-control-allow-headers')?.toLowerCase().split(',')).toEqual(
        expect.arrayContaining(['authorization', 'content-type', 'idempotency-key', 'traceparent']),
      );
      expect(res.headers.get('access-control-max-age')).toBe('600');
      expect(res.headers.get('access-control-allow-credentials')).toBeNull();
      expect(res.headers.get('vary')).toMatch(/\bOrigin\b/);
    }
  });

  test('another origin gets no CORS header, on the preflight or the answer', async () => {
    const res = await preflight('/api/v1/patients', OTHER);
    expect(res.status).toBe(405);
    expect(corsHeaders(res)).toEqual([]);
    expect(res.headers.get('vary')).toMatch(/\bOrigin\b/);
    const answer = await call(t.app, 'GET', '/api/v1/patients', {
      token,
      headers: { Origin: OTHER },
    });
    expect(answer.status).toBe(200);
    expect(corsHeaders(answer)).toEqual([]);
    // An origin is matched exactly: no prefix, no other scheme, no "null".
    for (const near of [`${ALLOWED}.evil.example`, 'http://app.clinic.example', 'null']) {
      expect(corsHeaders(await preflight('/api/v1/patients', near)), near).toEqual([]);
    }
  });

  test('an answer to a caller with no allowed origin says Vary: Origin and is written as the handler built it', async () => {
    // As on a started server: the Node adapter's own Response, which keeps its
    // plain status/body/headers (under its `cache` symbol) until something copies it.
    getRequestListener(t.app.fetch);
    for (const headers of [{}, { Origin: OTHER }]) {
      const res = await call(t.app, 'POST', '/api/v1/patients', {
        token,
        body: { givenName: 'Ada', familyName: 'Vary' },
        headers,
      });
      expect(res.status).toBe(201);
      expect(res.headers.get('vary')).toBe('Origin');
      expect(builtOnce(res)).toBe(true);
    }
  });

  test('an actual answer to an allowed origin exposes the headers a browser client reads', async () => {
    // As on a started server (see above): the answer is written as the handler built it.
    getRequestListener(t.app.fetch);
    const res = await call(t.app, 'POST', '/api/v1/patients', {
      token,
      body: { givenName: 'Ada', familyName: 'Lovelace' },
      headers: { Origin: ALLOWED },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(res.headers.get('access-control-expose-headers')?.split(',')).toEqual(
      expect.arrayContaining([
        'Idempotency-Replayed',
        'RateLimit',
        'RateLimit-Policy',
        'Retry-After',
        'X-Request-Id',
      ]),
    );
    expect(res.headers.get('vary')).toMatch(/\bOrigin\b/);
    expect(builtOnce(res)).toBe(true);
    // Errors too, or the browser hides the problem+json from the client.
    const unauthenticated = await t.app.request('/api/v1/patients', {
      headers: { Origin: ALLOWED },
    });
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    const document = await t.app.request('/openapi.json', { headers: { Origin: ALLOWED } });
    expect(document.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    // Pages outside the API stay same-origin.
    const health = await t.app.request('/healthz', { headers: { Origin: ALLOWED } });
    expect(corsHeaders(health)).toEqual([]);
  });

  test('without CORS_ORIGINS nothing changes: no CORS header, preflights are 405', async () => {
    const app = createApp({
      database: t.database,
      config: { ...t.config, CORS_ORIGINS: [] },
      logger: createLogger('silent'),
    });
    const res = await app.request('/api/v1/patients', {
      method: 'OPTIONS',
      headers: { Origin: ALLOWED, 'Access-Control-Request-Method': 'POST' },
    });
    expect(res.status).toBe(405);
    expect(corsHeaders(res)).toEqual([]);
  });

  test('CORS_ORIGINS takes exact origins and refuses anything else at start', () => {
    expect(loadConfig({}).CORS_ORIGINS).toEqual([]);
    expect(
      loadConfig({ CORS_ORIGINS: ' https://a.example ,http://127.0.0.1:3000' }).CORS_ORIGINS,
    ).toEqual(['https://a.example', 'http://127.0.0.1:3000']);
    for (const bad of [
      'https://a.example/',
      'https://a.example/app',
      '*',
      'a.example',
      'ftp://a.example',
    ]) {
      expect(() => loadConfig({ CORS_ORIGINS: bad }), bad).toThrow(
        /CORS_ORIGINS: entry 1 is not an origin/,
      );
    }
  });

  test('a Response a handler builds by hand gets the CORS headers after it', async () => {
    const app = new Hono();
    app.use(corsFor([ALLOWED]));
    app.get('/raw', () => new Response('raw', { headers: { 'content-type': 'text/plain' } }));
    const allowedAnswer = await app.request('/raw', { headers: { Origin: ALLOWED } });
    expect(allowedAnswer.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(allowedAnswer.headers.get('access-control-expose-headers')).toBe(
      CORS_EXPOSE_HEADERS.join(','),
    );
    expect(allowedAnswer.headers.get('vary')).toBe('Origin');
    for (const headers of [{}, { Origin: OTHER }]) {
      const other = await app.request('/raw', { headers });
      expect(corsHeaders(other)).toEqual([]);
      expect(other.headers.get('vary')).toBe('Origin');
    }
  });
});
