import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { call, json, startTestApp, type TestApp } from '../../test/helpers/app.ts';
import { patientBody } from '../../test/helpers/fixtures.ts';

let t: TestApp;
let admin: string;
beforeAll(async () => {
  t = await startTestApp({ tenantCount: 1 });
  admin = t.tenants[0]?.apiKey ?? '';
});
afterAll(() => t.close());

async function tokenWith(scopes: string[]): Promise<string> {
  const res = await call(t.app, 'POST', '/api/v1/integration-tokens', {
    token: admin,
    body: { name: 'scoped', scopes, approval: { approver: 'test', reason: 'a test credential' } },
  });
  return (await json<{ apiKey: string }>(res)).apiKey;
}

const piiFields = ['givenName', 'familyName', 'birthDate', 'email', 'phone'];

describe('patients', () => {
  test('PII comes back only with read:patients:pii', async () => {
    const created = await json<{ id: string }>(
      await call(t.app, 'POST', '/api/v1/patients', { token: admin, body: patientBody() }),
    );
    const minimal = await tokenWith(['read:patients']);
    const withPii = await tokenWith(['read:patients:pii']);
    const plain = await json(
      await call(t.app, 'GET', `/api/v1/patients/${created.id}`, { token: minimal }),
    );
    for (const field of piiFields) expect(plain).not.toHaveProperty(field);
    expect(plain).toMatchObject({ id: created.id, externalRef: 'EHR-1', preferredLanguage: 'en' });
    const full = await json(
      await call(t.app, 'GET', `/api/v1/patients/${created.id}`, { token: withPii }),
    );
    expect(full).toMatchObject({
      givenName: 'Ada',
      familyName: 'Yılmaz',
      birthDate: '1980-02-29',
      email: 'ada@example.com',
    });
    const list = await json<{ data: Record<string, unknown>[] }>(
      await call(t.app, 'GET', '/api/v1/patients?externalRef=EHR-1', { token: minimal }),
    );
    expect(list.data.length).toBeGreaterThan(0);
    for (const p of list.data) for (const field of piiFields) expect(p).not.toHaveProperty(field);
  });

  test('updates change only the given fields and audit field names, never values', async () => {
    const created = await json<{ id: string }>(
      await call(t.app, 'POST', '/api/v1/patients', { token: admin, body: patientBody() }),
    );
    const res = await call(t.app, 'PATCH', `/api/v1/patients/${created.id}`, {
      token: admin,
      body: { email: 'new@example.com' },
    });
    expect(await json(res)).toMatchObject({ email: 'new@example.com', givenName: 'Ada' });
    const audit = await call(
      t.app,
      'GET',
      `/api/v1/audit-events?entityId=${created.id}&action=patient.updated`,
      { token: admin },
    );
    const text = await audit.text();
    expect(text).toContain('"fields":["email"]');
    expect(text).not.toContain('new@example.com');
  });
});
