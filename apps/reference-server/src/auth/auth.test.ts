import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { call, json, startTestApp, type TestApp } from '../../test/helpers/app.ts';
import { rotateSigningKey } from './signing-keys.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ tenantCount: 1 });
});
afterAll(() => t.close());

const tenant = () => {
  const first = t.tenants[0];
  if (!first) throw new Error('no tenant');
  return first;
};

async function token(form: Record<string, string>, headers: Record<string, string> = {}) {
  return t.app.request('/oauth/token', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
}

async function accessToken(scope?: string): Promise<string> {
  const res = await token({
    grant_type: 'client_credentials',
    client_id: tenant().clientId,
    client_secret: tenant().clientSecret,
    ...(scope ? { scope } : {}),
  });
  expect(res.status).toBe(200);
  return (await json<{ access_token: string }>(res)).access_token;
}

describe('API keys', () => {
  test('a missing credential is 401 unauthenticated with a challenge', async () => {
    const res = await call(t.app, 'GET', '/api/v1/patients');
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.headers.get('www-authenticate')).toContain('Bearer');
    expect((await json(res)).code).toBe('unauthenticated');
  });

  test('an unknown key is 401 invalid_token', async () => {
    const res = await call(t.app, 'GET', '/api/v1/integration-tokens', { token: 'cbk_nope' });
    expect(res.status).toBe(401);
    expect((await json(res)).code).toBe('invalid_token');
  });

  test('a created key works, is listed without its secret, and stops working on revocation', async () => {
    const created = await call(t.app, 'POST', '/api/v1/integration-tokens', {
      token: tenant().apiKey,
      body: { name: 'Lab', scopes: ['admin:tokens'] },
    });
    expect(created.status).toBe(201);
    const token = await json<{ id: string; apiKey: string; keyPrefix: string; status: string }>(
      created,
    );
    expect(token.apiKey.startsWith(token.keyPrefix)).toBe(true);
    expect(token.status).toBe('active');

    const listed = await call(t.app, 'GET', '/api/v1/integration-tokens?limit=100', {
      token: token.apiKey,
    });
    expect(listed.status).toBe(200);
    const text = await listed.text();
    expect(text).toContain(token.id);
    expect(text).not.toContain(token.apiKey);

    const revoked = await call(t.app, 'POST', `/api/v1/integration-tokens/${token.id}/revoke`, {
      token: tenant().apiKey,
    });
    expect(revoked.status).toBe(200);
    expect((await json(revoked)).status).toBe('revoked');
    const after = await call(t.app, 'GET', '/api/v1/integration-tokens', { token: token.apiKey });
    expect(after.status).toBe(401);
  });

  test('an expired key is refused', async () => {
    const now = Date.now();
    const created = await call(t.app, 'POST', '/api/v1/integration-tokens', {
      token: tenant().apiKey,
      body: {
        name: 'Short',
        scopes: ['admin:tokens'],
        expiresAt: new Date(now + 500).toISOString(),
      },
    });
    const { apiKey } = await json<{ apiKey: string }>(created);
    const expired = await startTestAppClock(apiKey, now + 1000);
    expect(expired).toBe(401);
  });

  test('a key changed in the database behind a cached copy (as by another process) is refused at the next idempotent write, which changes nothing', async () => {
    const created = await call(t.app, 'POST', '/api/v1/integration-tokens', {
      token: tenant().apiKey,
      body: {
        name: 'Front desk',
        scopes: ['write:patients', 'read:patients'],
        approval: { approver: 'Practice manager', reason: 'Front-desk registrations' },
      },
    });
    expect(created.status, await created.clone().text()).toBe(201);
    const { id, apiKey } = await json<{ id: string; apiKey: string }>(created);
    const book = (familyName: string) =>
      call(t.app, 'POST', '/api/v1/patients', {
        token: apiKey,
        body: { givenName: 'Cached', familyName },
      });
    const patientsNamed = async (familyName: string) => {
      const list = await call(t.app, 'GET', '/api/v1/patients?limit=100', { token: apiKey });
      return (await json<{ data: { familyName: string }[] }>(list)).data.filter(
        (p) => p.familyName === familyName,
      ).length;
    };
    // The first write looks the key up and caches it; the second is served from the cache.
    expect((await book('First')).status).toBe(201);
    expect((await book('Second')).status).toBe(201);

    // Scopes narrowed without this app knowing: the write is refused for its scope, not run.
    const db = t.database.db;
    await db
      .updateTable('api_keys')
      .set({ scopes: sql`'["read:patients"]'::jsonb` })
      .where('id', '=', id)
      .execute();
    const narrowed = await book('Narrowed');
    expect(narrowed.status).toBe(403);
    expect((await json(narrowed)).code).toBe('insufficient_scope');
    expect(await patientsNamed('Narrowed')).toBe(0);

    // Scopes back, then revoked behind the cache: 401 and nothing written.
    await db
      .updateTable('api_keys')
      .set({ scopes: sql`'["write:patients", "read:patients"]'::jsonb` })
      .where('id', '=', id)
      .execute();
    expect((await book('Third')).status).toBe(201);
    await db.updateTable('api_keys').set({ status: 'revoked' }).where('id', '=', id).execute();
    const revoked = await book('Revoked');
    expect(revoked.status).toBe(401);
    expect((await json(revoked)).code).toBe('invalid_token');
    const audited = await db
      .selectFrom('audit_events')
      .select('id')
      .where('actor_id', '=', id)
      .where('action', '=', 'patient.created')
      .execute();
    expect(audited).toHaveLength(3);
  });

  test('only a manager (admin:tokens) may create tokens', async () => {
    const created = await call(t.app, 'POST', '/api/v1/integration-tokens', {
      token: tenant().apiKey,
      body: { name: 'Reader', scopes: ['read:appointments'] },
    });
    const { apiKey } = await json<{ apiKey: string }>(created);
    const res = await call(t.app, 'POST', '/api/v1/integration-tokens', {
      token: apiKey,
      body: { name: 'Escalate', scopes: ['admin:tokens'] },
    });
    expect(res.status).toBe(403);
    expect((await json(res)).code).toBe('insufficient_scope');
  });
});

// The same database seen by an app whose clock is at `at`.
async function startTestAppClock(apiKey: string, at: number): Promise<number> {
  const { createApp } = await import('../app.ts');
  const app = createApp({ database: t.database, config: t.config, now: () => new Date(at) });
  const res = await call(app, 'GET', '/api/v1/integration-tokens', { token: apiKey });
  return res.status;
}

describe('OAuth client credentials', () => {
  test('issues a JWT usable as a bearer token, limited to the requested scopes', async () => {
    const jwt = await accessToken('read:appointments');
    const ok = await call(t.app, 'GET', '/api/v1/appointments', { token: jwt });
    expect(ok.status).toBe(200);
    const denied = await call(t.app, 'GET', '/api/v1/patients', { token: jwt });
    expect(denied.status).toBe(403);
  });

  test('Basic authentication works and a wrong secret is 401 invalid_client', async () => {
    const basic = Buffer.from(`${tenant().clientId}:${tenant().clientSecret}`).toString('base64');
    const ok = await token(
      { grant_type: 'client_credentials' },
      { authorization: `Basic ${basic}` },
    );
    expect(ok.status).toBe(200);
    const bad = await token({
      grant_type: 'client_credentials',
      client_id: tenant().clientId,
      client_secret: 'cbs_wrong',
    });
    expect(bad.status).toBe(401);
    expect((await json(bad)).error).toBe('invalid_client');
  });

  test('the default client has least privilege: reads without PII, no writes, no admin', async () => {
    const write = await token({
      grant_type: 'client_credentials',
      client_id: tenant().clientId,
      client_secret: tenant().clientSecret,
      scope: 'write:appointments',
    });
    expect((await json(write)).error).toBe('invalid_scope');
    for (const scope of ['admin:tokens', 'read:patients:pii']) {
      const res = await token({
        grant_type: 'client_credentials',
        client_id: tenant().clientId,
        client_secret: tenant().clientSecret,
        scope,
      });
      expect((await json(res)).error, scope).toBe('invalid_scope');
    }
  });

  test('unknown grant types and scopes are refused', async () => {
    const grant = await token({
      grant_type: 'password',
      client_id: tenant().clientId,
      client_secret: tenant().clientSecret,
    });
    expect((await json(grant)).error).toBe('unsupported_grant_type');
    const scope = await token({
      grant_type: 'client_credentials',
      client_id: tenant().clientId,
      client_secret: tenant().clientSecret,
      scope: 'read:everything',
    });
    expect((await json(scope)).error).toBe('invalid_scope');
  });

  test('wrong algorithm, wrong issuer, wrong audience and expired tokens are 401', async () => {
    const jwks = await json<{ keys: { kid: string }[] }>(
      await t.app.request('/.well-known/jwks.json'),
    );
    const kid = jwks.keys[0]?.kid ?? '';
    const claims = { tid: tenant().tenantId, scope: 'read:appointments', sub: tenant().clientId };
    const hs = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', kid })
      .setIssuer('http://127.0.0.1:8080')
      .setAudience('http://127.0.0.1:8080/api')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('a-shared-secret-of-sufficient-length!!'));
    const foreign = await generateKeyPair('ES256');
    const foreignJwt = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid })
      .setIssuer('http://127.0.0.1:8080')
      .setAudience('http://127.0.0.1:8080/api')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(foreign.privateKey);
    expect(await exportJWK(foreign.publicKey)).toBeTruthy();
    for (const bad of [hs, foreignJwt, 'not.a.jwt']) {
      const res = await call(t.app, 'GET', '/api/v1/appointments', { token: bad });
      expect(res.status).toBe(401);
    }
    const { createApp } = await import('../app.ts');
    const jwt = await accessToken('read:appointments');
    const otherIssuer = createApp({
      database: t.database,
      config: { ...t.config, PUBLIC_URL: 'https://elsewhere.example' },
    });
    expect((await call(otherIssuer, 'GET', '/api/v1/appointments', { token: jwt })).status).toBe(
      401,
    );
    const later = createApp({
      database: t.database,
      config: t.config,
      now: () => new Date(Date.now() + 3600_000),
    });
    expect((await call(later, 'GET', '/api/v1/appointments', { token: jwt })).status).toBe(401);
  });

  test('after rotation, tokens of the previous key stay valid until they expire', async () => {
    const before = await accessToken('read:appointments');
    await rotateSigningKey(t.database.db, new Date());
    const { createApp } = await import('../app.ts');
    const fresh = createApp({ database: t.database, config: t.config });
    const jwks = await json<{ keys: unknown[] }>(await fresh.request('/.well-known/jwks.json'));
    expect(jwks.keys.length).toBeGreaterThanOrEqual(2);
    expect((await call(fresh, 'GET', '/api/v1/appointments', { token: before })).status).toBe(200);
    const afterExpiry = createApp({
      database: t.database,
      config: t.config,
      now: () => new Date(Date.now() + 1000 * (t.config.ACCESS_TOKEN_TTL_SECONDS + 5)),
    });
    const later = await json<{ keys: unknown[] }>(
      await afterExpiry.request('/.well-known/jwks.json'),
    );
    expect(later.keys.length).toBe(1);
  });
});

describe('rate limits', () => {
  test('each credential has its bucket; over the limit is 429 with Retry-After and RateLimit headers', async () => {
    const { createApp } = await import('../app.ts');
    const limited = createApp({
      database: t.database,
      config: { ...t.config, RATE_LIMIT_STANDARD_PER_MINUTE: 2 },
    });
    const created = await call(t.app, 'POST', '/api/v1/integration-tokens', {
      token: tenant().apiKey,
      body: { name: 'Slow', scopes: ['admin:tokens'] },
    });
    const { apiKey } = await json<{ apiKey: string }>(created);
    const first = await call(limited, 'GET', '/api/v1/integration-tokens', { token: apiKey });
    expect(first.headers.get('ratelimit-policy')).toBe('"standard";q=2;w=60');
    expect(first.headers.get('ratelimit')).toMatch(/^"standard";r=1;t=\d+$/);
    await call(limited, 'GET', '/api/v1/integration-tokens', { token: apiKey });
    const refused = await call(limited, 'GET', '/api/v1/integration-tokens', { token: apiKey });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = await json(refused);
    expect(body).toMatchObject({
      code: 'rate_limited',
      retryAfter: Number(refused.headers.get('retry-after')),
    });
    const admin = await call(limited, 'GET', '/api/v1/integration-tokens', {
      token: tenant().apiKey,
    });
    expect(admin.status).toBe(200);
  });
});
