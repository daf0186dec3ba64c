/**
 * The route template a request is counted and logged under, read after the
 * handler ran: set by the handler, the answering route's registered path,
 * the path a middleware's early answer was headed for, or `unmatched`.
 */
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { describe, expect, test } from 'vitest';
import type { AppEnv } from '../http/context.ts';
import { routeTemplateOf } from './route-template.ts';

const seen: string[] = [];
const app = new Hono<AppEnv>();
app.use(async (c, next) => {
  await next();
  seen.push(routeTemplateOf(c));
});
app.use('/ops/*', async (c, next) => {
  if (c.req.header('authorization') === undefined) return c.text('sign in', 401);
  await next();
});
app.post('/webhooks/:provider', (c) => c.json({ received: c.req.param('provider') }, 202));
app.get('/ops/:page', (c) => c.text(c.req.param('page')));
app.get('/api/v1/patients/:patientId', (c) => {
  c.set('routeTemplate', '/api/v1/patients/{patientId}');
  return c.json({});
});
app.get('/broken/:id', () => {
  throw new HTTPException(503);
});

async function templateOf(path: string, init?: RequestInit): Promise<string> {
  seen.length = 0;
  await app.request(path, init);
  expect(seen).toHaveLength(1);
  return seen[0] as string;
}

describe('routeTemplateOf', () => {
  test('is the path the answering route was registered with, never the request path', async () => {
    expect(await templateOf('/webhooks/visa', { method: 'POST' })).toBe('/webhooks/:provider');
    expect(await templateOf('/ops/tasks', { headers: { authorization: 'Basic x' } })).toBe(
      '/ops/:page',
    );
  });

  test('is the template a handler set, when it set one', async () => {
    expect(await templateOf('/api/v1/patients/pat_1')).toBe('/api/v1/patients/{patientId}');
  });

  test('is the route a middleware answered for (a gate refusing a page)', async () => {
    expect(await templateOf('/ops/tasks')).toBe('/ops/:page');
  });

  test('is the failing route when its handler throws', async () => {
    expect(await templateOf('/broken/b_1')).toBe('/broken/:id');
  });

  test('is unmatched when no route matched: a path or a method nobody serves', async () => {
    expect(await templateOf('/nothing/here')).toBe('unmatched');
    expect(await templateOf('/webhooks/visa')).toBe('unmatched');
  });
});
