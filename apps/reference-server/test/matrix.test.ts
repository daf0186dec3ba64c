/**
 * Tenant isolation and scope matrices over every operation of the contract.
 * Isolation: tenant B's admin key, aimed at tenant A's ids (in the path or
 * the body), gets 404 (or 501 where the operation is not implemented) and
 * lists never show A's rows. Scopes: a token holding every scope but the
 * one an operation needs is refused with 403; one holding just that scope
 * passes the scope check.
 */
import { type Operation, scopes } from '@clinicbridge/sdk/contract';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { resourceFeatures } from '../src/features.ts';
import { handledOperationIds } from './helpers/features.ts';

const coreHandlers = Object.fromEntries(
  [...handledOperationIds(resourceFeatures)].map((id) => [id, true]),
);

import { call, json, startTestApp, type TestApp } from './helpers/app.ts';
import { allOperations, bodyFor, pathFor, populateTenant, type WorldIds } from './helpers/world.ts';

let t: TestApp;
let ids: WorldIds;
let adminA: string;
let adminB: string;
beforeAll(async () => {
  t = await startTestApp({ tenantCount: 2 });
  adminA = t.tenants[0]?.apiKey ?? '';
  adminB = t.tenants[1]?.apiKey ?? '';
  ids = await populateTenant(t.app, adminA, t.tenants[0]?.clientId);
});
afterAll(() => t.close());

const implemented = (op: Operation) => op.id in coreHandlers;
// Lists whose required filter names a resource of the tenant (404 when it is not theirs).
const filteredByReference = new Set(['availability.search']);
const createsWithoutReference = new Set([
  'patients.create',
  'integrations.create',
  'integrationTokens.create',
]);

describe('tenant isolation', () => {
  for (const op of allOperations) {
    test(`${op.method} ${op.path} (${op.id}) with another tenant's key`, async () => {
      const path = pathFor(op, ids);
      const body = bodyFor(op, ids);
      const res = await call(t.app, op.method, path, { token: adminB, body });
      const text = await res.text();
      if (!implemented(op)) {
        expect(res.status).toBe(501);
        return;
      }
      if (op.method === 'GET' && !op.params && !filteredByReference.has(op.id)) {
        expect(res.status).toBe(200);
      } else if (createsWithoutReference.has(op.id)) {
        expect(res.status).toBe(201);
      } else {
        expect(res.status).toBe(404);
        expect(JSON.parse(text).code).toBe('not_found');
      }
      // Nothing of tenant A comes back beyond the id the caller itself sent.
      const sent = `${path} ${JSON.stringify(body ?? null)}`;
      for (const id of Object.values(ids)) if (!sent.includes(id)) expect(text).not.toContain(id);
    });
  }
});

describe('scopes', () => {
  const tokens = new Map<string, string>();
  async function tokenWith(granted: readonly string[]): Promise<string> {
    const key = granted.join(' ');
    const cached = tokens.get(key);
    if (cached) return cached;
    const res = await call(t.app, 'POST', '/api/v1/integration-tokens', {
      token: adminA,
      body: {
        name: 'matrix',
        scopes: granted,
        tier: 'high',
        approval: { approver: 'test', reason: 'a test credential' },
      },
    });
    const { apiKey } = await json<{ apiKey: string }>(res);
    tokens.set(key, apiKey);
    return apiKey;
  }

  for (const op of allOperations) {
    test(`${op.id} needs ${op.scope}`, async () => {
      const without = scopes.filter(
        (s) => s !== op.scope && !(op.scope === 'read:patients' && s === 'read:patients:pii'),
      );
      const denied = await call(t.app, op.method, pathFor(op, ids), {
        token: await tokenWith(without),
        body: bodyFor(op, ids),
      });
      expect(denied.status).toBe(403);
      expect((await json(denied)).code).toBe('insufficient_scope');
      // A credential grants only scopes it holds (finding 5): the token creator also holds
      // the read:events it grants in the world's sample body.
      const needed = op.id === 'integrationTokens.create' ? [op.scope, 'read:events'] : [op.scope];
      const allowed = await call(t.app, op.method, pathFor(op, ids), {
        token: await tokenWith(needed),
        body: bodyFor(op, ids),
      });
      expect([401, 403]).not.toContain(allowed.status);
      expect(allowed.status).toBeLessThan(500 + (implemented(op) ? 0 : 2));
    });
  }
});
