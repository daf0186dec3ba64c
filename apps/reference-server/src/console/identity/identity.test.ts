/**
 * Staff identity without a server: the roles-claim mapping, the signed
 * session cookie (tampering, expiry, purpose), and the central gate of
 * `/ops` on a bare Hono app (viewer refused on every non-GET, manager
 * through, Basic a manager, sign-out open to all).
 */
import { Hono } from 'hono';
import { describe, expect, test } from 'vitest';
import type { AppEnv } from '../../http/context.ts';
import { operatorConfig } from '../config.ts';
import { requireStaff } from './gate.ts';
import { staffIdentity } from './identity.ts';
import { claimValues, roleFromClaims } from './roles.ts';
import { reachedOverHttps } from './routes.ts';
import { cookieSealer, readSession, SESSION_COOKIE } from './session.ts';

const SECRET = 'a session secret of at least thirty-two characters';
const mapping = { claim: 'roles', managerValues: ['ops-manager'], viewerValues: ['ops-viewer'] };

describe('roles claim mapping', () => {
  test('reads arrays, strings and nested claims; manager wins; no match is no role', () => {
    expect(roleFromClaims({ roles: ['ops-viewer'] }, mapping)).toBe('viewer');
    expect(roleFromClaims({ roles: ['ops-viewer', 'ops-manager'] }, mapping)).toBe('manager');
    expect(roleFromClaims({ roles: 'staff ops-manager' }, mapping)).toBe('manager');
    expect(roleFromClaims({ roles: 'staff,ops-viewer' }, mapping)).toBe('viewer');
    expect(roleFromClaims({ roles: ['nurse'] }, mapping)).toBeNull();
    expect(roleFromClaims({}, mapping)).toBeNull();
    expect(roleFromClaims({ roles: [1, { a: 'ops-manager' }, null] }, mapping)).toBeNull();
    expect(roleFromClaims({ roles: { 'ops-manager': true } }, mapping)).toBeNull();
    const keycloak = { ...mapping, claim: 'realm_access.roles' };
    expect(roleFromClaims({ realm_access: { roles: ['ops-manager'] } }, keycloak)).toBe('manager');
    expect(roleFromClaims({ realm_access: 'ops-manager' }, keycloak)).toBeNull();
    // A claim whose name is a URL (dots in it) is read whole first.
    const named = { ...mapping, claim: 'https://clinic.example/roles' };
    expect(roleFromClaims({ 'https://clinic.example/roles': ['ops-viewer'] }, named)).toBe(
      'viewer',
    );
    // Inherited members are not claims.
    expect(claimValues({}, 'constructor')).toEqual([]);
  });

  test('the value lists come from configuration', () => {
    const config = operatorConfig.parse({
      OPS_OIDC_ROLES_CLAIM: 'groups',
      OPS_OIDC_MANAGER_VALUES: 'it-admins, clinic-leads',
      OPS_OIDC_VIEWER_VALUES: 'front-desk',
    });
    const identity = staffIdentity(config);
    expect(roleFromClaims({ groups: ['clinic-leads'] }, identity.mapping)).toBe('manager');
    expect(roleFromClaims({ groups: ['front-desk'] }, identity.mapping)).toBe('viewer');
    expect(roleFromClaims({ roles: ['ops-manager'] }, identity.mapping)).toBeNull();
  });
});

describe('session cookie', () => {
  const sessions = cookieSealer(SECRET, 'ops session');
  const now = new Date('2026-12-01T10:00:00Z');
  const later = (ms: number) => new Date(now.getTime() + ms);
  const value = { sub: 'u1', name: 'Ada', role: 'viewer', via: 'oidc' } as const;

  test('opens what it sealed until the expiry, not after', () => {
    const cookie = sessions.seal(value, later(60_000));
    expect(readSession(sessions, cookie, now)).toEqual(value);
    expect(readSession(sessions, cookie, later(59_000))).toEqual(value);
    expect(readSession(sessions, cookie, later(60_000))).toBeNull();
  });

  test('a tampered, foreign or malformed cookie is refused', () => {
    const cookie = sessions.seal(value, later(60_000));
    const [v, payload, signature] = cookie.split('.') as [string, string, string];
    const promoted = Buffer.from(
      JSON.stringify({
        ...value,
        role: 'manager',
        exp: Math.floor(later(60_000).getTime() / 1000),
      }),
    ).toString('base64url');
    expect(readSession(sessions, `${v}.${promoted}.${signature}`, now)).toBeNull();
    const flipped = `${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BA' : 'AA'}`;
    expect(readSession(sessions, `${v}.${payload}.${flipped}`, now)).toBeNull();
    expect(readSession(sessions, `${v}.${payload}`, now)).toBeNull();
    expect(readSession(sessions, `${cookie}.x`, now)).toBeNull();
    expect(readSession(sessions, `v2.${payload}.${signature}`, now)).toBeNull();
    expect(readSession(sessions, 'x'.repeat(5_000), now)).toBeNull();
    expect(readSession(sessions, undefined, now)).toBeNull();
    // Another secret, or the same secret for another purpose, does not verify it.
    const other = cookieSealer(`${SECRET}!`, 'ops session');
    expect(readSession(other, cookie, now)).toBeNull();
    const flow = cookieSealer(SECRET, 'ops oidc flow');
    expect(flow.open(cookie, now)).toBeNull();
    // A correctly signed cookie of the wrong shape is no session either.
    const odd = sessions.seal({ sub: 'u1', name: 'Ada', role: 'root', via: 'oidc' }, later(60_000));
    expect(readSession(sessions, odd, now)).toBeNull();
  });

  test('the secret is not in the cookie', () => {
    const cookie = sessions.seal(value, later(60_000));
    expect(cookie).not.toContain(SECRET);
    expect(Buffer.from(cookie.split('.')[1] ?? '', 'base64url').toString()).not.toContain(SECRET);
  });
});

describe('central gate', () => {
  let clock = new Date('2026-12-01T10:00:00Z');
  const config = operatorConfig.parse({
    OPS_PASSWORD: 'correct horse battery staple',
    OPS_SESSION_SECRET: SECRET,
  });
  const identity = staffIdentity(config);
  const app = new Hono<AppEnv>();
  app.use(
    '/ops',
    requireStaff(identity, () => clock),
  );
  app.use(
    '/ops/*',
    requireStaff(identity, () => clock),
  );
  app.get('/ops', (c) => c.json(c.get('staff')));
  // A route added later, knowing nothing of roles, is gated all the same.
  app.post('/ops/anything/new', (c) => c.text(`done by ${c.get('staff').subject}`));
  app.post('/ops/sign-out', (c) => c.text('signed out'));
  const sessionOf = (role: 'manager' | 'viewer', ttl = 60_000) =>
    `${SESSION_COOKIE}=${identity.sessions?.seal(
      { sub: `sub-${role}`, name: `A ${role}`, role, via: 'oidc' },
      new Date(clock.getTime() + ttl),
    )}`;
  const basic = `Basic ${Buffer.from('ops:correct horse battery staple').toString('base64')}`;
  const html = { accept: 'text/html' };

  test('the staff member is a typed context variable', async () => {
    const res = await app.request('/ops', { headers: { cookie: sessionOf('viewer') } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      subject: 'sub-viewer',
      name: 'A viewer',
      role: 'viewer',
      via: 'oidc',
    });
    const viaBasic = await app.request('/ops', { headers: { authorization: basic } });
    expect(await viaBasic.json()).toEqual({
      subject: 'ops',
      name: 'ops',
      role: 'manager',
      via: 'basic',
    });
  });

  test('a viewer is refused every non-GET with a page in words; a manager is let through', async () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const res = await app.request('/ops/anything/new', {
        method,
        headers: { cookie: sessionOf('viewer'), ...html },
      });
      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await res.text()).toContain('can look but not act');
    }
    const script = await app.request('/ops/anything/new', {
      method: 'POST',
      headers: { cookie: sessionOf('viewer') },
    });
    expect(script.status).toBe(403);
    expect(((await script.json()) as { code: string }).code).toBe('forbidden');
    const manager = await app.request('/ops/anything/new', {
      method: 'POST',
      headers: { cookie: sessionOf('manager') },
    });
    expect(await manager.text()).toBe('done by sub-manager');
    const byBasic = await app.request('/ops/anything/new', {
      method: 'POST',
      headers: { authorization: basic },
    });
    expect(await byBasic.text()).toBe('done by ops');
    const signOut = await app.request('/ops/sign-out', {
      method: 'POST',
      headers: { cookie: sessionOf('viewer') },
    });
    expect(await signOut.text()).toBe('signed out');
  });

  test('an expired or tampered session signs nobody in', async () => {
    const cookie = sessionOf('manager', 60_000);
    clock = new Date(clock.getTime() + 61_000);
    const expired = await app.request('/ops', { headers: { cookie } });
    expect(expired.status).toBe(401);
    const tampered = sessionOf('viewer').replace(/\.[^.]+$/, '.AAAA');
    const res = await app.request('/ops', { headers: { cookie: tampered } });
    expect(res.status).toBe(401);
    const wrong = `Basic ${Buffer.from('ops:wrong password').toString('base64')}`;
    expect((await app.request('/ops', { headers: { authorization: wrong } })).status).toBe(401);
  });

  test('half-configured OIDC is refused at start, naming what is missing', () => {
    expect(() =>
      staffIdentity(
        operatorConfig.parse({ OPS_OIDC_ISSUER: 'https://idp.example', OPS_OIDC_CLIENT_ID: 'c' }),
      ),
    ).toThrow(/OPS_SESSION_SECRET/);
    expect(() =>
      staffIdentity(
        operatorConfig.parse({
          OPS_OIDC_ISSUER: 'http://idp.example',
          OPS_OIDC_CLIENT_ID: 'c',
          OPS_SESSION_SECRET: SECRET,
        }),
      ),
    ).toThrow(/https/);
  });
});

describe('Secure cookies', () => {
  test('only when the browser reached the server over HTTPS', async () => {
    const answer = async (policy: { publicUrl?: string; trustProxy: boolean }, headers = {}) => {
      const app = new Hono<AppEnv>();
      app.get('/ops', (c) => c.text(String(reachedOverHttps(c, policy))));
      return (await app.request('http://10.0.0.5:8080/ops', { headers })).text();
    };
    expect(await answer({ trustProxy: false })).toBe('false');
    expect(await answer({ publicUrl: 'https://ops.example', trustProxy: false })).toBe('true');
    expect(await answer({ trustProxy: true }, { 'x-forwarded-proto': 'https' })).toBe('true');
    // Without TRUST_PROXY the header is the client's and is ignored.
    expect(await answer({ trustProxy: false }, { 'x-forwarded-proto': 'https' })).toBe('false');
  });
});
