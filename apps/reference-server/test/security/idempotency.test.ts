/**
 * Security regressions of idempotent replay (issue #10): a stored response
 * is replayed only to the credential that made it (finding 2), and never
 * holds a secret shown once (finding 3). Runs on PGlite, or on PostgreSQL
 * with TEST_DATABASE_URL set.
 */
import {
  createdIntegrationToken,
  rotatedOAuthClient,
  webhookEndpointWithSecret,
} from '@clinicbridge/sdk/contract';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { idempotencySecretsMigration } from '../../src/db/migrations/0003-core-idempotency-secrets.ts';
import { deliveryConfig } from '../../src/delivery/config.ts';
import { inboundConfig } from '../../src/inbound/config.ts';
import { createOAuthClient } from '../../src/tenants/service.ts';
import { call, json, startTestApp, type TestApp } from '../helpers/app.ts';
import { eventFeatures } from '../helpers/features.ts';
import { patientBody } from '../helpers/fixtures.ts';

const features = eventFeatures({
  ...deliveryConfig.parse({ WEBHOOK_TARGET_ALLOWLIST: '127.0.0.1:9' }),
  ...inboundConfig.parse({}),
});
let t: TestApp;
let admin: string;

beforeAll(async () => {
  t = await startTestApp({ tenantCount: 1, deps: { features } });
  admin = t.tenants[0]?.apiKey as string;
});
afterAll(async () => {
  for (const feature of features) await feature.stop?.();
  await t.close();
});

/** Issues an API key of the tenant holding `scopes`, through the API. */
async function tokenWith(scopes: string[]): Promise<string> {
  const res = await call(t.app, 'POST', '/api/v1/integration-tokens', {
    token: admin,
    body: {
      name: `holder of ${scopes.join(' ')}`,
      scopes,
      approval: { approver: 'Clinic manager', reason: 'finding 2 regression test' },
    },
  });
  expect(res.status).toBe(201);
  return (await json<{ apiKey: string }>(res)).apiKey;
}

describe('security: idempotent replay', () => {
  test("finding 2: another credential repeating an admin's keyed PATCH gets 422, not the stored PII", async () => {
    const patient = await json<{ id: string }>(
      await call(t.app, 'POST', '/api/v1/patients', { token: admin, body: patientBody() }),
    );
    const path = `/api/v1/patients/${patient.id}`;
    const body = { email: 'ada.new@example.com' };
    const idempotencyKey = 'finding-2-patch';
    const first = await call(t.app, 'PATCH', path, { token: admin, body, idempotencyKey });
    expect(first.status).toBe(200);
    expect(await json(first)).toMatchObject({
      email: 'ada.new@example.com',
      birthDate: '1980-02-29',
    });

    // Holds write:patients but not read:patients:pii: it must learn nothing from the key.
    const writer = await tokenWith(['write:patients']);
    for (const attempt of [body, { email: 'other@example.com' }]) {
      const res = await call(t.app, 'PATCH', path, {
        token: writer,
        body: attempt,
        idempotencyKey,
      });
      expect(res.status).toBe(422);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.headers.get('idempotency-replayed')).toBeNull();
      const text = await res.text();
      expect(JSON.parse(text)).toMatchObject({
        code: 'idempotency_key_credential_mismatch',
        title: 'Idempotency key used by another credential',
      });
      for (const pii of ['ada.new@example.com', '1980-02-29', '+905551112233', 'Yılmaz']) {
        expect(text).not.toContain(pii);
      }
    }

    // The credential that made it still gets its replay.
    const again = await call(t.app, 'PATCH', path, { token: admin, body, idempotencyKey });
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotency-replayed')).toBe('true');
  });

  test("finding 2: a JWT is bound by its OAuth client: a fresh JWT of the client replays, the tenant's API key does not", async () => {
    // A client that may write patients (a tenant's default client only reads).
    const writer = await createOAuthClient(
      t.database.db,
      {
        tenantId: t.tenants[0]?.tenantId as string,
        actor: { type: 'operator', id: 'test' },
        requestId: null,
        now: new Date(),
      },
      { name: 'Patient writer', scopes: ['write:patients', 'read:patients:pii'] },
    );
    const jwt = async () => {
      const res = await t.app.request('/oauth/token', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: writer.clientId,
          client_secret: writer.clientSecret,
          scope: 'write:patients read:patients:pii',
        }).toString(),
      });
      expect(res.status).toBe(200);
      return (await json<{ access_token: string }>(res)).access_token;
    };
    const body = patientBody({ externalRef: 'finding-2-oauth' });
    const idempotencyKey = 'finding-2-oauth';
    const send = (token: string) =>
      call(t.app, 'POST', '/api/v1/patients', { token, body, idempotencyKey });
    const first = await send(await jwt());
    expect(first.status).toBe(201);
    const refreshed = await send(await jwt());
    expect(refreshed.status).toBe(201);
    expect(refreshed.headers.get('idempotency-replayed')).toBe('true');
    const byKey = await send(admin);
    expect(byKey.status).toBe(422);
    expect((await json(byKey)).code).toBe('idempotency_key_credential_mismatch');
  });

  test('finding 3: API keys and whsec_ secrets are never stored in idempotency_keys, nor served again on replay', async () => {
    const send = (path: string, body: unknown, idempotencyKey: string) =>
      call(t.app, 'POST', path, { token: admin, body, idempotencyKey });
    const tokenBody = { name: 'CRM', scopes: ['read:appointments'] };
    const endpointBody = { url: 'http://127.0.0.1:9/finding-3', eventTypes: ['*'] };

    const token = await send('/api/v1/integration-tokens', tokenBody, 'finding-3-token');
    expect(token.status).toBe(201);
    const created = await json<{ id: string; apiKey: string }>(token);
    expect(created.apiKey.length).toBeGreaterThan(16);
    const endpoint = await send('/api/v1/webhook-endpoints', endpointBody, 'finding-3-endpoint');
    expect(endpoint.status).toBe(201);
    const ep = await json<{ id: string; secret: string }>(endpoint);
    expect(ep.secret).toMatch(/^whsec_/);
    const rotatePath = `/api/v1/webhook-endpoints/${ep.id}/rotate-secret`;
    const rotation = await send(rotatePath, {}, 'finding-3-rotate');
    expect(rotation.status).toBe(200);
    const rotated = await json<{ secret: string }>(rotation);
    expect(rotated.secret).toMatch(/^whsec_/);
    const secrets = [created.apiKey, ep.secret, rotated.secret];

    // What an operator, a backup or a support query of the table sees.
    const { rows } = await sql<{ key: string; body: string }>`
      select key, response_body::text as body from idempotency_keys
      where key in ('finding-3-token', 'finding-3-endpoint', 'finding-3-rotate')`.execute(
      t.database.db,
    );
    expect(rows).toHaveLength(3);
    const table = rows.map((r) => r.body).join('\n');
    for (const secret of secrets) expect(table).not.toContain(secret);
    expect(table).not.toContain('whsec_');
    for (const row of rows) {
      const body = JSON.parse(row.body) as Record<string, unknown>;
      expect(body.secretShownOnce, row.key).toBe(true);
      expect(body, row.key).not.toHaveProperty('apiKey');
      expect(body, row.key).not.toHaveProperty('secret');
    }

    // A replay answers as the first response did, without the secret, and says so.
    const replays = [
      [
        await send('/api/v1/integration-tokens', tokenBody, 'finding-3-token'),
        createdIntegrationToken,
        created.id,
      ],
      [
        await send('/api/v1/webhook-endpoints', endpointBody, 'finding-3-endpoint'),
        webhookEndpointWithSecret,
        ep.id,
      ],
      [await send(rotatePath, {}, 'finding-3-rotate'), webhookEndpointWithSecret, ep.id],
    ] as const;
    for (const [res, schema, id] of replays) {
      expect(res.headers.get('idempotency-replayed')).toBe('true');
      const text = await res.text();
      for (const secret of secrets) expect(text).not.toContain(secret);
      const body = JSON.parse(text) as Record<string, unknown>;
      expect(body).toMatchObject({ id, secretShownOnce: true });
      expect(schema.safeParse(body).success).toBe(true);
    }
    // The secret itself still works: it was shown once, and only stored as a hash.
    const usable = await call(t.app, 'GET', '/api/v1/appointments', { token: created.apiKey });
    expect(usable.status).toBe(200);
  });

  test("finding 3: an OAuth client's rotated secret is not stored in idempotency_keys, nor served on replay", async () => {
    const clientId = t.tenants[0]?.clientId as string;
    const path = `/api/v1/oauth-clients/${clientId}/rotate-secret`;
    const send = () =>
      call(t.app, 'POST', path, { token: admin, idempotencyKey: 'finding-3-client' });
    const first = await send();
    expect(first.status).toBe(200);
    const { clientSecret } = await json<{ clientSecret: string }>(first);
    expect(clientSecret.length).toBeGreaterThan(16);
    const { rows } = await sql<{ body: string }>`
      select response_body::text as body from idempotency_keys where key = 'finding-3-client'`.execute(
      t.database.db,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]?.body).not.toContain(clientSecret);
    const replay = await send();
    expect(replay.headers.get('idempotency-replayed')).toBe('true');
    const text = await replay.text();
    expect(text).not.toContain(clientSecret);
    const body = JSON.parse(text) as Record<string, unknown>;
    expect(body).toMatchObject({ id: clientId, secretShownOnce: true });
    expect(rotatedOAuthClient.safeParse(body).success).toBe(true);
  });

  test('finding 3: the upgrade removes secrets that earlier versions stored', async () => {
    const now = new Date();
    const legacy = [
      [
        'finding-3-legacy-token',
        'integrationTokens.create',
        { id: 'tok_x', apiKey: 'cbk_legacy_secret_1' },
      ],
      [
        'finding-3-legacy-endpoint',
        'webhookEndpoints.create',
        { id: 'whep_x', secret: 'whsec_legacy1' },
      ],
      [
        'finding-3-legacy-rotate',
        'webhookEndpoints.rotateSecret',
        { id: 'whep_x', secret: 'whsec_legacy2' },
      ],
    ] as const;
    for (const [key, operationId, body] of legacy) {
      await t.database.db
        .insertInto('idempotency_keys')
        .values({
          tenant_id: t.tenants[0]?.tenantId as string,
          key,
          credential_id: null,
          fingerprint: 'legacy',
          operation_id: operationId,
          state: 'completed',
          response_status: 201,
          response_body: JSON.stringify(body),
          created_at: now,
          locked_until: now,
          expires_at: new Date(now.getTime() + 3_600_000),
        })
        .execute();
    }
    await idempotencySecretsMigration.up(t.database.db);
    const { rows } = await sql<{ body: string }>`
      select response_body::text as body from idempotency_keys where key like 'finding-3-legacy-%'`.execute(
      t.database.db,
    );
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      expect(row.body).not.toMatch(/cbk_legacy|whsec_/);
      expect(JSON.parse(row.body)).toMatchObject({ secretShownOnce: true });
    }
  });
});
