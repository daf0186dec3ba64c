/**
 * Issue #10, finding 16 (missing actions): resolving an operator alert and
 * issuing an OAuth access token left no audit row. Both are now audited in
 * the tenant's hash chain — `operator_alert.resolved` (a platform alert in
 * the `platform` chain) and `oauth_token.issued` — and readable through the
 * audit API. (Automatic deliveries: finding-16-delivery-audit.int.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { raiseAlert } from '../../src/alerts/raise.ts';
import { verifyAuditChain } from '../../src/audit/verify.ts';
import { resolveAlert } from '../../src/inbound/console.ts';
import { PLATFORM_AUDIT_TENANT } from '../../src/kernel/change.ts';
import { call, json, startTestApp, type TestApp } from '../helpers/app.ts';

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

async function auditOf(action: string) {
  const res = await call(t.app, 'GET', `/api/v1/audit-events?action=${action}`, {
    token: tenant().apiKey,
  });
  expect(res.status).toBe(200);
  return (await json<{ data: Record<string, unknown>[] }>(res)).data;
}

describe('finding 16: token issuance and alert resolution are audited', () => {
  test('finding 16: every issued OAuth access token leaves an oauth_token.issued row', async () => {
    const res = await t.app.request('/oauth/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: tenant().clientId,
        client_secret: tenant().clientSecret,
        scope: 'read:appointments',
      }).toString(),
    });
    expect(res.status).toBe(200);
    const rows = await auditOf('oauth_token.issued');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actor: { type: 'oauth_client', id: tenant().clientId },
      entityType: 'oauth_client',
      entityId: tenant().clientId,
      metadata: {
        scopes: ['read:appointments'],
        expiresInSeconds: t.config.ACCESS_TOKEN_TTL_SECONDS,
      },
    });
    // A refused request issues nothing and audits nothing.
    await t.app.request('/oauth/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: tenant().clientId,
        client_secret: 'wrong',
      }).toString(),
    });
    expect(await auditOf('oauth_token.issued')).toHaveLength(1);
  });

  test('finding 16: resolving an alert leaves one operator_alert.resolved row naming the operator', async () => {
    const now = new Date();
    const tenantAlert = await raiseAlert(t.database.db, {
      tenantId: tenant().tenantId,
      kind: 'webhook_endpoint_disabled',
      message: 'disabled',
      details: {},
      now,
    });
    const platformAlert = await raiseAlert(t.database.db, {
      tenantId: null,
      kind: 'inbound_webhook_failed',
      message: 'failed',
      details: {},
      now,
    });
    const ops = { type: 'operator', id: 'alice' } as const;
    expect(await resolveAlert(t.database.db, tenantAlert, now, ops)).toBe(true);
    expect(await resolveAlert(t.database.db, tenantAlert, now, ops)).toBe(false);
    expect(await resolveAlert(t.database.db, platformAlert, now, ops)).toBe(true);

    const rows = await auditOf('operator_alert.resolved');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actor: ops,
      entityType: 'operator_alert',
      entityId: tenantAlert,
      metadata: { kind: 'webhook_endpoint_disabled' },
    });
    const platform = await t.database.db
      .selectFrom('audit_events')
      .select(['action', 'entity_id'])
      .where('tenant_id', '=', PLATFORM_AUDIT_TENANT)
      .execute();
    expect(platform).toEqual([{ action: 'operator_alert.resolved', entity_id: platformAlert }]);
    expect((await verifyAuditChain(t.database.db)).broken).toBeNull();
  });
});
