/**
 * The bad-input battery: malformed JSON, wrong types, oversized bodies,
 * unknown fields, bad ids, bad cursors, wrong media types and random JSON
 * thrown at every write. Every answer is a 4xx problem+json with a stable
 * code (or a success, when random input happens to be valid), never a 5xx.
 */
import { errorCodes } from '@clinicbridge/sdk/contract';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { resourceFeatures } from '../src/features.ts';
import { handledOperationIds } from './helpers/features.ts';

const coreHandlers = Object.fromEntries(
  [...handledOperationIds(resourceFeatures)].map((id) => [id, true]),
);

import { call, json, startTestApp, type TestApp } from './helpers/app.ts';
import { appointmentBody, patientBody } from './helpers/fixtures.ts';
import { allOperations, pathFor, populateTenant, type WorldIds } from './helpers/world.ts';

let t: TestApp;
let token: string;
let ids: WorldIds;
beforeAll(async () => {
  t = await startTestApp({
    tenantCount: 1,
    env: { BODY_LIMIT_BYTES: '4096', RATE_LIMIT_HIGH_PER_MINUTE: '100000' },
  });
  token = t.tenants[0]?.apiKey ?? '';
  ids = await populateTenant(t.app, token, t.tenants[0]?.clientId);
});
afterAll(() => t.close());

async function expectProblem(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  const body = await json(res);
  expect(body).toMatchObject({
    status,
    code,
    type: expect.stringContaining(code),
    requestId: expect.any(String),
  });
  expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+|select |insert into/i);
  return body;
}

describe('bad input', () => {
  test('malformed JSON is 400 invalid_json', async () => {
    await expectProblem(
      await call(t.app, 'POST', '/api/v1/patients', { token, rawBody: '{"givenName": ' }),
      400,
      'invalid_json',
    );
  });

  test('wrong types are 400 validation_failed with every bad field', async () => {
    const res = await call(t.app, 'POST', '/api/v1/patients', {
      token,
      body: { givenName: 42, familyName: [], email: 'nope' },
    });
    const body = await expectProblem(res, 400, 'validation_failed');
    const paths = (body.errors as { path: string }[]).map((e) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining(['body.givenName', 'body.familyName', 'body.email']),
    );
  });

  test('unknown fields are rejected', async () => {
    const res = await call(t.app, 'POST', '/api/v1/patients', {
      token,
      body: patientBody({ isAdmin: true }),
    });
    await expectProblem(res, 400, 'validation_failed');
  });

  test('oversized bodies are 413, declared or streamed', async () => {
    const big = patientBody({ externalRef: 'x'.repeat(10_000) });
    await expectProblem(
      await call(t.app, 'POST', '/api/v1/patients', { token, body: big }),
      413,
      'body_too_large',
    );
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 10; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(1000)));
        controller.close();
      },
    });
    const res = await t.app.request('/api/v1/patients', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    await expectProblem(res, 413, 'body_too_large');
  });

  test('a body that is not JSON is 415', async () => {
    const res = await call(t.app, 'POST', '/api/v1/patients', {
      token,
      rawBody: 'givenName=Ada',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    await expectProblem(res, 415, 'unsupported_media_type');
  });

  test('malformed ids in the path are 404', async () => {
    for (const path of [
      '/api/v1/appointments/not-an-id',
      '/api/v1/appointments/pat_aaaaaaaaaaaaaaaaaaaaaaaaaa',
      "/api/v1/patients/pat_'%20or%201=1",
    ]) {
      await expectProblem(await call(t.app, 'GET', path, { token }), 404, 'not_found');
    }
  });

  test('bad cursors, limits and unknown query parameters are 400', async () => {
    await expectProblem(
      await call(t.app, 'GET', '/api/v1/patients?cursor=abc!', { token }),
      400,
      'invalid_cursor',
    );
    const page = await json<{ nextCursor: string }>(
      await call(t.app, 'GET', '/api/v1/audit-events?limit=1', { token }),
    );
    await expectProblem(
      await call(t.app, 'GET', `/api/v1/visits?cursor=${page.nextCursor}`, { token }),
      400,
      'invalid_cursor',
    );
    await expectProblem(
      await call(t.app, 'GET', '/api/v1/patients?limit=0', { token }),
      400,
      'validation_failed',
    );
    await expectProblem(
      await call(t.app, 'GET', '/api/v1/patients?limit=abc', { token }),
      400,
      'validation_failed',
    );
    await expectProblem(
      await call(t.app, 'GET', '/api/v1/patients?limit=1&limit=2', { token }),
      400,
      'validation_failed',
    );
    await expectProblem(
      await call(t.app, 'GET', '/api/v1/patients?sort=name', { token }),
      400,
      'validation_failed',
    );
  });

  test('a malformed Idempotency-Key is 400', async () => {
    const res = await call(t.app, 'POST', '/api/v1/patients', {
      token,
      body: patientBody(),
      idempotencyKey: 'x'.repeat(300),
    });
    await expectProblem(res, 400, 'invalid_request');
  });

  test('unknown routes are 404 and wrong methods 405 with Allow', async () => {
    await expectProblem(await call(t.app, 'GET', '/api/v1/nothing', { token }), 404, 'not_found');
    const res = await call(t.app, 'DELETE', `/api/v1/appointments/${ids.appointmentId}`, { token });
    await expectProblem(res, 405, 'method_not_allowed');
    expect(res.headers.get('allow')).toContain('GET');
  });

  test('random JSON at every write is a success or a 4xx problem with a known code, never a 5xx', async () => {
    const writes = allOperations.filter((op) => op.write && op.id in coreHandlers);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...writes),
        fc.oneof(
          fc.jsonValue(),
          fc.record({ patientId: fc.string(), startsAt: fc.string(), amount: fc.anything() }),
        ),
        async (op, body) => {
          const res = await call(t.app, op.method, pathFor(op, ids), {
            token,
            rawBody: JSON.stringify(body) ?? 'null',
          });
          expect(res.status).toBeGreaterThanOrEqual(200);
          expect(res.status).toBeLessThan(500);
          if (res.status >= 400) {
            const problem = await json(res);
            expect(Object.keys(errorCodes)).toContain(problem.code);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  test('an appointment ending before it starts is refused', async () => {
    const body = appointmentBody(ids.patientId ?? '', { endsAt: '2026-12-01T08:00:00Z' });
    const res = await expectProblem(
      await call(t.app, 'POST', '/api/v1/appointments', { token, body }),
      400,
      'validation_failed',
    );
    expect(res.errors).toEqual([expect.objectContaining({ path: 'body.endsAt' })]);
  });
});
