/**
 * Security regressions of idempotent replay (issue #10): a stored response
 * is replayed only to the credential that made it (finding 2), and never
 * holds a secret shown once (finding 3). Runs on PGlite, or on PostgreSQL
 * with TEST_DATABASE_URL set.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { call, json, startTestApp, type TestApp } from '../helpers/app.ts';
import { patientBody } from '../helpers/fixtures.ts';

let t: TestApp;
let admin: string;

beforeAll(async () => {
  t = await startTestApp({ tenantCount: 1 });
  admin = t.tenants[0]?.apiKey as string;
});
afterAll(() => t.close());

/** Issues an API key of the tenant holding `scopes`, through the API. */
async function tokenWith(scopes: string[]): Promise<string> {
  const res = await call(t.app, 'POST', '/api/v1/integration-tokens', {
    token: admin,
    body: { name: `holder of ${scopes.join(' ')}`, scopes },
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
});
