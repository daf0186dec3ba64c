/**
 * `no-store` on API answers: in the response the handler builds (which the
 * Node adapter then writes as it is, never copied), kept out of the way of
 * a handler's own Cache-Control, and added to a Response built by hand.
 */
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { beforeAll, describe, expect, test } from 'vitest';
import { builtOnce } from '../../test/helpers/adapter-response.ts';
import { noStore } from './no-store.ts';

const app = new Hono();
app.use('/api/*', noStore());
app.get('/api/json', (c) => c.json({ ok: true }));
app.get('/api/private', (c) => c.json({ ok: true }, 200, { 'cache-control': 'private, no-store' }));
app.get('/api/raw', () => new Response('raw'));

beforeAll(() => {
  // The Node adapter puts its own Response in place of the global one, as on a started server.
  getRequestListener(app.fetch);
});

describe('noStore', () => {
  test('goes into the response the handler builds, which is not copied afterwards', async () => {
    const res = await app.request('/api/json');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(builtOnce(res)).toBe(true);
    expect(await res.json()).toEqual({ ok: true });
  });

  test("keeps a handler's own Cache-Control", async () => {
    const res = await app.request('/api/private');
    expect(res.headers.get('cache-control')).toBe('private, no-store');
  });

  test('is added to a Response the handler built on its own', async () => {
    const res = await app.request('/api/raw');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.text()).toBe('raw');
  });

  test('a header set after the handler would copy the response (what noStore avoids)', async () => {
    const late = new Hono();
    late.use(async (c, next) => {
      await next();
      c.header('Cache-Control', 'no-store');
    });
    late.get('/', (c) => c.json({ ok: true }));
    expect(builtOnce(await late.request('/'))).toBe(false);
  });
});
