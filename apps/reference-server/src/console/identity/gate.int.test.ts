/**
 * The central gate covers every `/ops` route of the full server, including
 * one a feature adds without a word about roles and registers before the
 * console: a viewer's request that changes anything is refused with the
 * "Managers only" page and never reaches the route; a manager's reaches it.
 *
 * Run alone: `pnpm vitest run src/console/identity/gate.int.test.ts`.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/helpers/http-server.ts';
import type { Feature } from '../../feature.ts';
import { resourceFeatures, serverFeatures } from '../../features.ts';
import { operatorConfig } from '../config.ts';
import { staffIdentity } from './identity.ts';
import { SESSION_COOKIE } from './session.ts';

const SECRET = 'a session secret of at least thirty-two characters';
let reached = 0;
/** A feature another team might add, knowing nothing of roles, mounted before the console. */
const newcomer: Feature = {
  name: 'newcomer',
  routes(app) {
    app.post('/ops/newcomer/:id/act', (c) => {
      reached++;
      return c.text('acted');
    });
  },
};

let running: TestServer;

beforeAll(async () => {
  const rest = serverFeatures().filter((feature) => !resourceFeatures.includes(feature));
  running = await startTestServer({
    tenantCount: 0,
    features: [newcomer, ...rest],
    env: { OPS_PASSWORD: 'correct horse battery staple', OPS_SESSION_SECRET: SECRET },
  });
}, 120_000);

afterAll(() => running?.server.close());

function session(role: 'manager' | 'viewer'): string {
  const sealer = staffIdentity(operatorConfig.parse({ OPS_SESSION_SECRET: SECRET })).sessions;
  const value = { sub: `s-${role}`, name: `A ${role}`, role, via: 'oidc' };
  return `${SESSION_COOKIE}=${sealer?.seal(value, new Date(Date.now() + 3_600_000))}`;
}

const send = (method: string, path: string, role: 'manager' | 'viewer') =>
  fetch(`${running.server.url}${path}`, {
    method,
    headers: {
      accept: 'text/html',
      origin: running.server.url,
      cookie: session(role),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: '',
    redirect: 'manual',
  });

test('every route under /ops that changes anything refuses a viewer', async () => {
  const actions = running.server.app.routes.filter(
    (r) => r.path.startsWith('/ops/') && !['GET', 'HEAD', 'ALL'].includes(r.method),
  );
  const paths = actions.map((r) => `${r.method} ${r.path}`);
  // The console's own, the other features', the tokens page, and the newcomer's.
  for (const expected of [
    'POST /ops/dead-letters/:id/replay',
    'POST /ops/claims/:id/redeliver',
    'POST /ops/reconciliation/:id/resolve',
    'POST /ops/tokens/create',
    'POST /ops/tokens/:id/revoke',
    'POST /ops/newcomer/:id/act',
  ]) {
    expect(paths).toContain(expected);
  }
  for (const route of actions) {
    if (route.path === '/ops/sign-out') continue;
    const res = await send(route.method, route.path.replace(/:\w+/g, 'x_1'), 'viewer');
    expect(res.status, `${route.method} ${route.path}`).toBe(403);
    expect(await res.text()).toContain('Managers only');
  }
  expect(reached).toBe(0);
  const manager = await send('POST', '/ops/newcomer/x_1/act', 'manager');
  expect(await manager.text()).toBe('acted');
  expect(reached).toBe(1);
}, 120_000);
