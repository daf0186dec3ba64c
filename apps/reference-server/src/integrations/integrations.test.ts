import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { call, json, startTestApp, type TestApp } from '../../test/helpers/app.ts';

let t: TestApp;
let admin: string;
beforeAll(async () => {
  t = await startTestApp({ tenantCount: 1 });
  admin = t.tenants[0]?.apiKey ?? '';
});
afterAll(() => t.close());

describe('integrations registry', () => {
  test('register, pause and read back, with every change audited', async () => {
    const created = await json<{ id: string; status: string }>(
      await call(t.app, 'POST', '/api/v1/integrations', {
        token: admin,
        body: {
          name: 'Lab results',
          purpose: 'Push lab results to the EHR',
          scopes: ['read:appointments'],
          apis: ['appointments.list'],
          events: ['appointment.completed'],
          owner: 'IT team',
        },
      }),
    );
    expect(created.status).toBe('active');
    const paused = await call(t.app, 'PATCH', `/api/v1/integrations/${created.id}`, {
      token: admin,
      body: { status: 'paused' },
    });
    expect(await json(paused)).toMatchObject({
      status: 'paused',
      owner: 'IT team',
      scopes: ['read:appointments'],
    });
    const listed = await json<{ data: { id: string }[] }>(
      await call(t.app, 'GET', '/api/v1/integrations?status=paused', { token: admin }),
    );
    expect(listed.data.map((i) => i.id)).toEqual([created.id]);
    const audit = await json<{ data: { action: string }[] }>(
      await call(t.app, 'GET', `/api/v1/audit-events?entityId=${created.id}`, { token: admin }),
    );
    // Two requests may share a millisecond, so compare as a set.
    expect(audit.data.map((a) => a.action).sort()).toEqual([
      'integration.created',
      'integration.updated',
    ]);
  });
});
