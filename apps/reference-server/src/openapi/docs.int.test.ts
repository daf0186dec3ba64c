/**
 * `/docs` with every external request refused, in Debian's Chromium: the
 * viewer comes from the server itself, so the reference still renders; its
 * bundle is content-addressed, cached for a year and pinned by SRI.
 *
 * Run alone: `pnpm vitest run src/openapi/docs.int.test.ts`.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { launchChromium } from '../../test/helpers/browser.ts';
import { startTestServer, type TestServer } from '../../test/helpers/http-server.ts';

let running: TestServer;
let browser: Browser;

beforeAll(async () => {
  running = await startTestServer({ tenantCount: 0 });
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await running?.server.close();
});

test('the page names no other host, and its bundle is cached by content hash', async () => {
  const page = await (await fetch(`${running.server.url}/docs`)).text();
  expect(page).not.toMatch(/https?:\/\//);
  const src = /<script src="([^"]+)" integrity="(sha384-[^"]+)"/.exec(page);
  expect(src?.[1]).toMatch(/^\/docs\/assets\/api-reference\.[0-9a-f]{16}\.js$/);
  const bundle = await fetch(`${running.server.url}${src?.[1]}`);
  expect(bundle.status).toBe(200);
  expect(bundle.headers.get('content-type')).toMatch(/^text\/javascript/);
  expect(bundle.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  await bundle.arrayBuffer();
  const stale = await fetch(`${running.server.url}/docs/assets/api-reference.0000000000000000.js`);
  expect(stale.status).toBe(404);
  await stale.arrayBuffer();
});

test('/docs renders the reference with all external network blocked', async () => {
  const context = await browser.newContext();
  context.setDefaultTimeout(60_000);
  // As on a clinic network without internet: anything not on this machine fails.
  await context.route(
    (url) => url.hostname !== '127.0.0.1',
    (route) => route.abort('internetdisconnected'),
  );
  const page = await context.newPage();
  const failures: string[] = [];
  page.on('requestfailed', (request) => {
    if (new URL(request.url()).hostname === '127.0.0.1') failures.push(request.url());
  });
  await page.goto(`${running.server.url}/docs`);
  // An operation summary from the contract, in the sidebar's first group.
  await expect
    .poll(async () => page.getByText('List integration tokens').first().isVisible(), {
      timeout: 60_000,
      interval: 500,
    })
    .toBe(true);
  expect(failures).toEqual([]);
  await context.close();
}, 120_000);
