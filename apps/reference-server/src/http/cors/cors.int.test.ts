/**
 * CORS in Debian's Chromium: a page served from one 127.0.0.1 port calls
 * the API on another with `fetch`. From the origin in `CORS_ORIGINS` the
 * preflighted write succeeds and the client reads the exposed headers;
 * from any other origin the browser refuses the answer.
 *
 * Run alone: `pnpm vitest run src/http/cors/cors.int.test.ts`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { launchChromium } from '../../../test/helpers/browser.ts';
import { startTestServer, type TestServer } from '../../../test/helpers/http-server.ts';

let allowedPage: Server;
let otherPage: Server;
let running: TestServer;
let browser: Browser;

/** A blank page on its own port: its origin is what the API sees. */
async function pageServer(): Promise<Server> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>partner app</title>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}
const originOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

beforeAll(async () => {
  allowedPage = await pageServer();
  otherPage = await pageServer();
  running = await startTestServer({
    tenantCount: 1,
    env: { CORS_ORIGINS: originOf(allowedPage) },
  });
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await running?.server.close();
  allowedPage?.close();
  otherPage?.close();
});

interface Outcome {
  status?: number;
  requestId?: string | null;
  rateLimit?: string | null;
  error?: string;
}

/** From a page on `origin`, registers a patient on the API, as a partner's browser app would. */
async function registerFromPage(origin: string): Promise<Outcome> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${origin}/`);
    return await page.evaluate(
      async ({ api, token }) => {
        try {
          const res = await fetch(`${api}/api/v1/patients`, {
            method: 'POST',
            headers: {
              Authorization: `Bearer ${token}`,
              'Content-Type': 'application/json',
              'Idempotency-Key': crypto.randomUUID(),
              traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
            },
            body: JSON.stringify({ givenName: 'Ada', familyName: 'Lovelace' }),
          });
          return {
            status: res.status,
            requestId: res.headers.get('X-Request-Id'),
            rateLimit: res.headers.get('RateLimit'),
          };
        } catch (error) {
          return { error: String(error) };
        }
      },
      { api: running.server.url, token: running.tenants[0]?.apiKey ?? '' },
    );
  } finally {
    await context.close();
  }
}

test('a page on an allowed origin calls the API and reads its headers', async () => {
  const outcome = await registerFromPage(originOf(allowedPage));
  expect(outcome.error).toBeUndefined();
  expect(outcome.status).toBe(201);
  expect(outcome.requestId).toMatch(/^req_/);
  expect(outcome.rateLimit).toMatch(/;r=\d+/);
}, 60_000);

test('a page on another origin is refused by the browser', async () => {
  const outcome = await registerFromPage(originOf(otherPage));
  expect(outcome.status).toBeUndefined();
  expect(outcome.error).toMatch(/TypeError: Failed to fetch/);
}, 60_000);
