/**
 * Security suite, finding 10 of issue #10: year-0000 dates and extreme
 * cursors used to reach the database and fail there with a 500 (and PGlite
 * refused timestamps PostgreSQL accepts). Dates and timestamps in requests
 * are bounded to the years 1900–2200 by the contract, and a cursor holding
 * anything the server would not have written is 400 `invalid_cursor`.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { call, json, startTestApp, type TestApp } from '../helpers/app.ts';
import { appointmentBody, invoiceBody, patientBody } from '../helpers/fixtures.ts';

let t: TestApp;
let token: string;
let patientId: string;

beforeAll(async () => {
  t = await startTestApp({ tenantCount: 1 });
  token = t.tenants[0]?.apiKey ?? '';
  const created = await call(t.app, 'POST', '/api/v1/patients', { token, body: patientBody() });
  patientId = (await json<{ id: string }>(created)).id;
});
afterAll(() => t.close());

async function expectInvalid(res: Response, code: string, path?: string): Promise<void> {
  expect(res.status).toBe(400);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  const body = await json<{ code: string; errors?: { path: string }[] }>(res);
  expect(body.code).toBe(code);
  if (path) expect(body.errors?.map((e) => e.path)).toContain(path);
}

const cursor = (parts: unknown[]) => Buffer.from(JSON.stringify(parts)).toString('base64url');

describe('security: dates and cursors are bounded', () => {
  test('finding 10: birth dates outside 1900–2200 are 400, the bounds themselves are accepted', async () => {
    for (const birthDate of [
      '0000-01-01',
      '0001-01-01',
      '1899-12-31',
      '2201-01-01',
      '9999-12-31',
    ]) {
      await expectInvalid(
        await call(t.app, 'POST', '/api/v1/patients', { token, body: patientBody({ birthDate }) }),
        'validation_failed',
        'body.birthDate',
      );
      await expectInvalid(
        await call(t.app, 'PATCH', `/api/v1/patients/${patientId}`, { token, body: { birthDate } }),
        'validation_failed',
        'body.birthDate',
      );
    }
    for (const birthDate of ['1900-01-01', '2200-12-31']) {
      const res = await call(t.app, 'POST', '/api/v1/patients', {
        token,
        body: patientBody({ birthDate, externalRef: `bound-${birthDate}` }),
      });
      expect(res.status).toBe(201);
      expect((await json(res)).birthDate).toBe(birthDate);
    }
  });

  test('finding 10: slots, due dates and time filters in year 0000 are 400, not 500', async () => {
    const year0 = { startsAt: '0000-01-01T09:00:00.000Z', endsAt: '0000-01-01T10:00:00.000Z' };
    await expectInvalid(
      await call(t.app, 'POST', '/api/v1/appointments', {
        token,
        body: appointmentBody(patientId, year0),
      }),
      'validation_failed',
      'body.startsAt',
    );
    const booked = await call(t.app, 'POST', '/api/v1/appointments', {
      token,
      body: appointmentBody(patientId),
    });
    const appointmentId = (await json<{ id: string }>(booked)).id;
    await expectInvalid(
      await call(t.app, 'POST', `/api/v1/appointments/${appointmentId}/reschedule`, {
        token,
        body: { startsAt: '2026-12-01T09:00:00.000Z', endsAt: '2201-01-01T00:00:00.000Z' },
      }),
      'validation_failed',
      'body.endsAt',
    );
    await expectInvalid(
      await call(t.app, 'POST', '/api/v1/invoices', {
        token,
        body: invoiceBody(patientId, { dueDate: '0000-01-01' }),
      }),
      'validation_failed',
      'body.dueDate',
    );
    for (const path of [
      '/api/v1/appointments?startsAfter=0000-01-01T00:00:00Z',
      '/api/v1/appointments?startsBefore=9999-12-31T23:59:59Z',
      '/api/v1/events?since=0000-01-01T00:00:00Z',
      '/api/v1/audit-events?since=0000-01-01T00:00:00Z',
    ]) {
      await expectInvalid(await call(t.app, 'GET', path, { token }), 'validation_failed');
    }
  });

  test('finding 10: extreme and malformed cursors are 400 invalid_cursor on every list', async () => {
    const id = 'pat_abcdefghijklmnopqrstuvwxyz';
    const forged = [
      cursor(['patients', '0000-01-01T00:00:00.000Z', id]),
      cursor(['patients', '+275760-09-13T00:00:00.000Z', id]),
      cursor(['patients', '-271821-04-20T00:00:00.000Z', id]),
      cursor(['patients', '2026-01-01T00:00:00.000Z', 'x'.repeat(100)]),
      cursor(['patients', '2026-01-01T00:00:00.000Z', 99]),
      cursor(['patients', 1e308, id]),
      'A'.repeat(512),
      '____',
    ];
    for (const value of forged) {
      await expectInvalid(
        await call(t.app, 'GET', `/api/v1/patients?cursor=${encodeURIComponent(value)}`, { token }),
        'invalid_cursor',
      );
    }
    for (const list of ['appointments', 'invoices']) {
      const extreme = cursor([list, '+275760-09-13T00:00:00.000Z', id]);
      await expectInvalid(
        await call(t.app, 'GET', `/api/v1/${list}?cursor=${extreme}`, { token }),
        'invalid_cursor',
      );
    }
  });

  test('finding 10: cursors the server issues still page through a list', async () => {
    await call(t.app, 'POST', '/api/v1/patients', {
      token,
      body: patientBody({ externalRef: 'second' }),
    });
    const first = await call(t.app, 'GET', '/api/v1/patients?limit=1', { token });
    const page = await json<{ data: unknown[]; nextCursor: string | null }>(first);
    expect(page.nextCursor).not.toBeNull();
    const next = await call(t.app, 'GET', `/api/v1/patients?limit=1&cursor=${page.nextCursor}`, {
      token,
    });
    expect(next.status).toBe(200);
  });
});
