import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { call, json, startTestApp, type TestApp } from '../../test/helpers/app.ts';
import { appointmentBody, patientBody } from '../../test/helpers/fixtures.ts';
import { createApp } from '../app.ts';

let t: TestApp;
let token: string;
let patientId: string;
beforeAll(async () => {
  t = await startTestApp({ tenantCount: 1 });
  token = t.tenants[0]?.apiKey ?? '';
  const res = await call(t.app, 'POST', '/api/v1/patients', { token, body: patientBody() });
  patientId = (await json<{ id: string }>(res)).id;
});
afterAll(() => t.close());

async function book(overrides: Record<string, unknown> = {}, key?: string) {
  return call(t.app, 'POST', '/api/v1/appointments', {
    token,
    body: appointmentBody(patientId, overrides),
    ...(key ? { idempotencyKey: key } : {}),
  });
}

describe('appointments', () => {
  test('follow the state machine; an illegal move is 409 and changes nothing', async () => {
    const created = await json<{ id: string; status: string }>(await book());
    expect(created.status).toBe('scheduled');
    const cancel = await call(t.app, 'POST', `/api/v1/appointments/${created.id}/cancel`, {
      token,
      body: { reason: 'ill' },
    });
    expect(await json(cancel)).toMatchObject({ status: 'cancelled', cancellationReason: 'ill' });
    const complete = await call(t.app, 'POST', `/api/v1/appointments/${created.id}/complete`, {
      token,
      body: {},
    });
    expect(complete.status).toBe(409);
    expect((await json(complete)).code).toBe('invalid_state_transition');
    const get = await call(t.app, 'GET', `/api/v1/appointments/${created.id}`, { token });
    expect((await json(get)).status).toBe('cancelled');
  });

  test('reschedule moves the time and keeps it scheduled', async () => {
    const { id } = await json<{ id: string }>(await book());
    const res = await call(t.app, 'POST', `/api/v1/appointments/${id}/reschedule`, {
      token,
      body: { startsAt: '2026-12-02T10:00:00Z', endsAt: '2026-12-02T10:45:00Z' },
    });
    expect(await json(res)).toMatchObject({
      status: 'scheduled',
      startsAt: '2026-12-02T10:00:00.000Z',
      endsAt: '2026-12-02T10:45:00.000Z',
    });
  });

  test('each write commits its audit row and outbox event with it', async () => {
    const { id } = await json<{ id: string }>(await book());
    await call(t.app, 'POST', `/api/v1/appointments/${id}/complete`, { token, body: {} });
    const events = await json<{ data: { type: string; tenantId: string }[] }>(
      await call(t.app, 'GET', `/api/v1/events?entityId=${id}`, { token }),
    );
    expect(events.data.map((e) => e.type)).toEqual([
      'appointment.completed',
      'appointment.created',
    ]);
    expect(events.data[0]?.tenantId).toBe(t.tenants[0]?.tenantId);
    const audit = await json<{ data: { action: string; requestId: string | null }[] }>(
      await call(t.app, 'GET', `/api/v1/audit-events?entityId=${id}`, { token }),
    );
    // Two requests may share a millisecond, so compare as a set.
    expect(audit.data.map((a) => a.action).sort()).toEqual([
      'appointment.completed',
      'appointment.created',
    ]);
    expect(audit.data[0]?.requestId).toMatch(/^req_/);
  });

  test('a failed write leaves no audit row and no event', async () => {
    const before = await t.database.db.selectFrom('events').select('id').execute();
    const res = await book({ patientId: 'pat_doesnotexistdoesnotexist' });
    expect(res.status).toBe(404);
    const after = await t.database.db.selectFrom('events').select('id').execute();
    expect(after.length).toBe(before.length);
  });

  test('lists filter by status and page with cursors, oldest first', async () => {
    for (let i = 0; i < 3; i++) await book({ service: `Paging ${i}` });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const path = `/api/v1/appointments?status=scheduled&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page: { data: { id: string; status: string }[]; nextCursor: string | null } =
        await json(await call(t.app, 'GET', path, { token }));
      for (const a of page.data) {
        expect(a.status).toBe('scheduled');
        seen.push(a.id);
      }
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(3);
  });
});

describe('idempotency', () => {
  test('a replay returns the stored response, marked, without a second write', async () => {
    const first = await book({}, 'replay-1');
    const again = await book({}, 'replay-1');
    expect(again.status).toBe(201);
    expect(first.headers.get('idempotency-replayed')).toBeNull();
    expect(again.headers.get('idempotency-replayed')).toBe('true');
    expect(await json(again)).toEqual(await json(first));
  });

  test('the same key with another body is 422 idempotency_key_reused', async () => {
    await book({}, 'reuse-1');
    const res = await book({ service: 'Other' }, 'reuse-1');
    expect(res.status).toBe(422);
    expect((await json(res)).code).toBe('idempotency_key_reused');
  });

  test('a request that failed does not use up its key', async () => {
    const bad = await book({ patientId: 'pat_doesnotexistdoesnotexist' }, 'retry-1');
    expect(bad.status).toBe(404);
    const retry = await call(t.app, 'POST', '/api/v1/appointments', {
      token,
      body: appointmentBody('pat_doesnotexistdoesnotexist'),
      idempotencyKey: 'retry-1',
    });
    expect(retry.status).toBe(404);
  });

  test('50 concurrent identical writes have one effect', async () => {
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => book({ service: 'Concurrent' }, 'concurrent-1')),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    const ids = new Set<string>();
    for (const r of responses) if (r.status === 201) ids.add((await json<{ id: string }>(r)).id);
    expect(ids.size).toBe(1);
    const rows = await t.database.db
      .selectFrom('appointments')
      .select('id')
      .where('service', '=', 'Concurrent')
      .execute();
    expect(rows.length).toBe(1);
  });

  test('stored responses survive a restart of the app', async () => {
    const first = await json(await book({ service: 'Restart' }, 'restart-1'));
    const restarted = createApp({ database: t.database, config: t.config });
    const again = await call(restarted, 'POST', '/api/v1/appointments', {
      token,
      body: appointmentBody(patientId, { service: 'Restart' }),
      idempotencyKey: 'restart-1',
    });
    expect(again.headers.get('idempotency-replayed')).toBe('true');
    expect(await json(again)).toEqual(first);
  });

  test('a key expires after 24 hours', async () => {
    const first = await json<{ id: string }>(await book({ service: 'Expiry' }, 'expiry-1'));
    const later = createApp({
      database: t.database,
      config: t.config,
      now: () => new Date(Date.now() + 25 * 3600 * 1000),
    });
    const again = await call(later, 'POST', '/api/v1/appointments', {
      token,
      body: appointmentBody(patientId, { service: 'Expiry' }),
      idempotencyKey: 'expiry-1',
    });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotency-replayed')).toBeNull();
    expect((await json<{ id: string }>(again)).id).not.toBe(first.id);
  });
});
