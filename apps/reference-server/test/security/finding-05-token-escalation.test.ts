/**
 * Issue #10, finding 5: `admin:tokens` alone used to mint a token with every
 * scope and the high rate-limit tier. A credential now grants only scopes it
 * holds and at most its own tier, and a token with a `write:` scope needs an
 * approval (approver and reason) that the audit row records.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { call, json, startTestApp, type TestApp } from '../helpers/app.ts';

let t: TestApp;
let admin: string;
const approval = { approver: 'Dr. Aylin Kaya, clinic manager', reason: 'CRM books appointments' };

beforeAll(async () => {
  t = await startTestApp({ tenantCount: 1 });
  admin = t.tenants[0]?.apiKey ?? '';
});
afterAll(() => t.close());

async function createToken(token: string, body: Record<string, unknown>) {
  return call(t.app, 'POST', '/api/v1/integration-tokens', { token, body });
}

describe('finding 5: a credential grants no more than it holds', () => {
  let manager: string;
  beforeAll(async () => {
    const res = await createToken(admin, {
      name: 'Front-desk manager',
      scopes: ['admin:tokens', 'read:appointments'],
    });
    expect(res.status).toBe(201);
    manager = (await json<{ apiKey: string }>(res)).apiKey;
  });

  test('a manager with admin:tokens cannot grant a scope it does not hold', async () => {
    for (const scopes of [
      ['read:patients:pii'],
      ['write:patients'],
      ['read:appointments', 'admin:integrations'],
    ]) {
      const res = await createToken(manager, { name: 'Escalate', scopes, approval });
      expect(res.status, scopes.join(' ')).toBe(403);
      expect((await json(res)).code).toBe('insufficient_scope');
    }
    const tokens = await json<{ data: { name: string }[] }>(
      await call(t.app, 'GET', '/api/v1/integration-tokens', { token: admin }),
    );
    expect(tokens.data.some((tok) => tok.name === 'Escalate')).toBe(false);
  });

  test('a manager can grant a subset of its own scopes', async () => {
    const res = await createToken(manager, { name: 'Reader', scopes: ['read:appointments'] });
    expect(res.status).toBe(201);
  });

  test('a standard-tier credential cannot grant the high tier', async () => {
    const res = await createToken(manager, {
      name: 'Fast reader',
      scopes: ['read:appointments'],
      tier: 'high',
    });
    expect(res.status).toBe(403);
    expect((await json(res)).code).toBe('insufficient_scope');
  });

  test('a write: scope needs an approval, recorded in the audit row', async () => {
    const refused = await createToken(admin, { name: 'CRM', scopes: ['write:appointments'] });
    expect(refused.status).toBe(400);
    const problem = await json<{ code: string; errors: { path: string }[] }>(refused);
    expect(problem.code).toBe('validation_failed');
    expect(problem.errors.map((e) => e.path)).toContain('body.approval');

    const created = await createToken(admin, {
      name: 'CRM',
      scopes: ['read:appointments', 'write:appointments'],
      approval,
    });
    expect(created.status).toBe(201);
    const { id } = await json<{ id: string }>(created);
    const audit = await t.database.db
      .selectFrom('audit_events')
      .select(['action', 'metadata'])
      .where('entity_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(audit.action).toBe('integration_token.created');
    expect(audit.metadata).toMatchObject({ approval });
  });
});
