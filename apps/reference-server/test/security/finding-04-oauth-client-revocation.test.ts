/**
 * Issue #10, finding 4: OAuth clients could be neither revoked nor rotated,
 * and an issued JWT was never checked against its client — after revoking a
 * client in SQL its JWT still worked. The client is now looked up on every
 * request; revoking it (`POST /api/v1/oauth-clients/{id}/revoke`) fails its
 * existing JWTs at once, and a rotated secret replaces the old one for new tokens.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ChangeContext } from '../../src/kernel/change.ts';
import { revokeOAuthClient, rotateOAuthClientSecret } from '../../src/tenants/oauth-clients.ts';
import { createOAuthClient } from '../../src/tenants/service.ts';
import { call, json, startTestApp, type TestApp } from '../helpers/app.ts';

let t: TestApp;
let change: ChangeContext;
let admin: string;

beforeAll(async () => {
  t = await startTestApp({ tenantCount: 2 });
  admin = t.tenants[0]?.apiKey ?? '';
  change = {
    tenantId: t.tenants[0]?.tenantId ?? '',
    actor: { type: 'operator', id: 'cli' },
    requestId: null,
    now: new Date(),
  };
});
afterAll(() => t.close());

async function requestToken(clientId: string, clientSecret: string) {
  return t.app.request('/oauth/token', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
    }).toString(),
  });
}

async function newClient() {
  const client = await createOAuthClient(t.database.db, change, {
    name: 'Partner',
    scopes: ['read:appointments'],
  });
  const res = await requestToken(client.clientId, client.clientSecret);
  expect(res.status).toBe(200);
  const { access_token: jwt } = await json<{ access_token: string }>(res);
  return { ...client, jwt };
}

const listAppointments = (jwt: string) =>
  call(t.app, 'GET', '/api/v1/appointments', { token: jwt });

describe('finding 4: OAuth clients can be revoked and rotated', () => {
  test("a revoked client's existing JWT is refused on the next request", async () => {
    const client = await newClient();
    expect((await listAppointments(client.jwt)).status).toBe(200);
    const revoked = await call(t.app, 'POST', `/api/v1/oauth-clients/${client.clientId}/revoke`, {
      token: admin,
    });
    expect(revoked.status).toBe(200);
    expect(await json(revoked)).toMatchObject({ id: client.clientId, status: 'revoked' });
    const after = await listAppointments(client.jwt);
    expect(after.status).toBe(401);
    expect((await json(after)).code).toBe('invalid_token');
    expect((await requestToken(client.clientId, client.clientSecret)).status).toBe(401);
  });

  test('a client revoked directly in the database is refused too', async () => {
    const client = await newClient();
    await t.database.db
      .updateTable('oauth_clients')
      .set({ status: 'revoked' })
      .where('id', '=', client.clientId)
      .execute();
    expect((await listAppointments(client.jwt)).status).toBe(401);
  });

  test('after a secret rotation the old secret gets no token and the new one does', async () => {
    const client = await newClient();
    const res = await call(
      t.app,
      'POST',
      `/api/v1/oauth-clients/${client.clientId}/rotate-secret`,
      {
        token: admin,
      },
    );
    expect(res.status).toBe(200);
    const rotated = await json<{ clientSecret: string }>(res);
    expect(rotated.clientSecret).not.toBe(client.clientSecret);
    const old = await requestToken(client.clientId, client.clientSecret);
    expect(old.status).toBe(401);
    expect((await json(old)).error).toBe('invalid_client');
    expect((await requestToken(client.clientId, rotated.clientSecret)).status).toBe(200);
  });

  test('only admin:tokens revokes, and only clients of its own tenant', async () => {
    const client = await newClient();
    const reader = await json<{ apiKey: string }>(
      await call(t.app, 'POST', '/api/v1/integration-tokens', {
        token: admin,
        body: { name: 'Reader', scopes: ['read:appointments'] },
      }),
    );
    const denied = await call(t.app, 'POST', `/api/v1/oauth-clients/${client.clientId}/revoke`, {
      token: reader.apiKey,
    });
    expect(denied.status).toBe(403);
    const other = await call(t.app, 'POST', `/api/v1/oauth-clients/${client.clientId}/revoke`, {
      token: t.tenants[1]?.apiKey,
    });
    expect(other.status).toBe(404);
    expect((await listAppointments(client.jwt)).status).toBe(200);
  });

  test('revoking and rotating are audited', async () => {
    const client = await newClient();
    await rotateOAuthClientSecret(t.database.db, change, client.clientId);
    await revokeOAuthClient(t.database.db, change, client.clientId);
    const actions = await t.database.db
      .selectFrom('audit_events')
      .select('action')
      .where('entity_id', '=', client.clientId)
      .execute();
    expect(actions.map((a) => a.action).sort()).toEqual([
      'oauth_client.created',
      'oauth_client.revoked',
      'oauth_client.secret_rotated',
      // newClient() got a token with it (finding 16).
      'oauth_token.issued',
    ]);
  });
});
