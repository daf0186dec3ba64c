/**
 * `sendPage` over a real HTTP server on 127.0.0.1: the page arrives whole,
 * escaped as rendered, with its Content-Length and the status asked for, and
 * the Node adapter writes it as built, where `c.html` given the same page
 * makes it build a Web Response and read the page back out of its stream.
 */
import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import { Hono } from 'hono';
import { html } from 'hono/html';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { builtOnce } from '../../test/helpers/adapter-response.ts';
import { sendPage } from './page.ts';

const greeting = (name: string) => html`<!doctype html><p>Hello, ${name} — welcome</p>`;

const app = new Hono();
app.get('/page', (c) => sendPage(c, greeting('<Ana>')));
app.get('/refused', (c) => sendPage(c, greeting('Ana'), 403));
app.get('/object', (c) => c.html(greeting('<Ana>')));
app.get('/waiting', (c) => sendPage(c, html`<p>${Promise.resolve('later')}</p>`));
app.onError((error, c) => c.text(`${error.name}: ${error.message}`, 500));

let server: ServerType;
let base: string;

beforeAll(async () => {
  server = await new Promise<ServerType>((resolve) => {
    const started = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () =>
      resolve(started),
    );
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('sendPage', () => {
  test('answers with the page as built, with its Content-Length', async () => {
    const res = await fetch(`${base}/page`);
    const body = await res.text();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=UTF-8');
    expect(body).toBe('<!doctype html><p>Hello, &lt;Ana&gt; — welcome</p>');
    expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(body)));
    expect(res.headers.get('transfer-encoding')).toBeNull();
    expect(builtOnce(await app.request('/page'))).toBe(true);
  });

  test('answers with the status asked for', async () => {
    const res = await fetch(`${base}/refused`);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('Hello, Ana');
  });

  test('c.html with the same page sends the same bytes through a Web Response (what sendPage avoids)', async () => {
    const res = await fetch(`${base}/object`);
    expect(await res.text()).toBe('<!doctype html><p>Hello, &lt;Ana&gt; — welcome</p>');
    expect(builtOnce(await app.request('/object'))).toBe(false);
  });

  test('refuses a page still waiting on a promise', async () => {
    const res = await app.request('/waiting');
    expect(res.status).toBe(500);
    expect(await res.text()).toMatch(/^TypeError: .*waiting on a promise/);
  });
});
