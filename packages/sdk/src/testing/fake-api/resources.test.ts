/** Fake API resources and state: webhook endpoints, deliveries, dead letters, imports, exports, audit, credentials and the fake clock, latency with concurrent retries, and state reset. */
import { afterEach, describe, expect, test, vi } from 'vitest';
import { fixtures } from '../fixtures/index.ts';
import { appointmentBody, patientBody, useFakeApi } from './test-helpers.ts';

let clock = new Date('2026-11-22T09:00:00.000Z').getTime();
const { api, call } = useFakeApi({ now: () => new Date(clock) });
const tenant = () => api.state.tenant(api.state.defaultTenant.tenantId);

afterEach(() => {
  clock = new Date('2026-11-22T09:00:00.000Z').getTime();
  vi.useRealTimers();
});

describe('webhook endpoints, deliveries and dead letters', () => {
  async function endpoint(eventTypes: string[] = ['*']) {
    const res = await call('POST', '/api/v1/webhook-endpoints', {
      body: { url: 'https://partner.example.com/hooks', eventTypes },
    });
    expect(res.status).toBe(201);
    return res.body;
  }

  test('writes schedule a pending delivery per subscribed endpoint only', async () => {
    const all = await endpoint(['*']);
    const payments = await endpoint(['payment.received']);
    const patient = await call('POST', '/api/v1/patients', { body: patientBody });
    await call('POST', '/api/v1/appointments', { body: appointmentBody(patient.body.id) });
    const deliveries = tenant().deliveries.values();
    expect(deliveries.map((d) => [d.endpointId, d.eventType, d.status])).toEqual([
      [all.id, 'appointment.created', 'pending'],
    ]);
    expect(deliveries.some((d) => d.endpointId === payments.id)).toBe(false);
  });

  test('deleting an endpoint cancels its pending deliveries', async () => {
    const ep = await endpoint();
    await call('POST', `/api/v1/webhook-endpoints/${ep.id}/test`);
    const del = await call('DELETE', `/api/v1/webhook-endpoints/${ep.id}`);
    expect(del.status).toBe(204);
    expect(
      tenant()
        .deliveries.values()
        .map((d) => d.status),
    ).toEqual(['cancelled']);
  });

  test('rotation returns a new secret and keeps the previous one for signing', async () => {
    const ep = await endpoint();
    const rotated = await call('POST', `/api/v1/webhook-endpoints/${ep.id}/rotate-secret`);
    expect(rotated.body.secret).not.toBe(ep.secret);
    expect(tenant().webhookEndpoints.get(ep.id)?.secrets).toEqual([rotated.body.secret, ep.secret]);
  });

  test('a dead delivery is listed, replayed once, then no longer dead', async () => {
    const ep = await endpoint();
    const dead = tenant().deliveries.insert(
      fixtures.delivery({
        endpointId: ep.id,
        status: 'dead',
        attemptCount: 8,
        nextAttemptAt: null,
      }),
    );
    const listed = await call('GET', `/api/v1/dead-letters?endpointId=${ep.id}`);
    expect(listed.body.data.map((d: { id: string }) => d.id)).toEqual([dead.id]);
    const replayed = await call('POST', `/api/v1/dead-letters/${dead.id}/replay`, { body: {} });
    expect([replayed.status, replayed.body.status]).toEqual([202, 'pending']);
    const again = await call('POST', `/api/v1/dead-letters/${dead.id}/replay`, { body: {} });
    expect([again.status, again.body.code]).toEqual([409, 'conflict']);
  });
});

describe('imports and exports', () => {
  test('a CSV import keeps valid rows and reports the others by spreadsheet row', async () => {
    const content = [
      'givenName,familyName,email,externalRef',
      'Ada,"Yılmaz, Jr.",ada@example.com,r1',
      'Can,Demir,not-an-email,r2',
      '"Ela ""El""",Kaya,,r3',
    ].join('\n');
    const res = await call('POST', '/api/v1/imports', {
      body: { kind: 'patients', format: 'csv', content },
    });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      status: 'completed',
      totalRows: 3,
      importedRows: 2,
      failedRows: 1,
    });
    expect(res.body.errors).toEqual([{ row: 3, message: expect.stringContaining('email') }]);
    const names = tenant()
      .patients.values()
      .map((p) => `${p.givenName} ${p.familyName}`);
    expect(names).toEqual(['Ada Yılmaz, Jr.', 'Ela "El" Kaya']);
  });

  test('an appointment import refuses rows for patients the tenant does not have', async () => {
    const patient = await call('POST', '/api/v1/patients', { body: patientBody });
    const rows = [
      appointmentBody(patient.body.id),
      appointmentBody('pat_aaaaaaaaaaaaaaaaaaaaaaaaaa'),
    ];
    const res = await call('POST', '/api/v1/imports', {
      body: {
        kind: 'appointments',
        format: 'ndjson',
        content: rows.map((r) => JSON.stringify(r)).join('\n'),
      },
    });
    expect(res.body).toMatchObject({ importedRows: 1, failedRows: 1, errors: [{ row: 2 }] });
  });

  test('an export file is served at its downloadUrl, to callers with read:exports', async () => {
    const patient = await call('POST', '/api/v1/patients', { body: patientBody });
    await call('POST', '/api/v1/appointments', { body: appointmentBody(patient.body.id) });
    const job = await call('POST', '/api/v1/exports', {
      body: { kind: 'appointments', format: 'csv' },
    });
    expect(job.body).toMatchObject({ status: 'completed', rowCount: 1 });
    expect(job.body).not.toHaveProperty('content');
    const auth = { authorization: `Bearer ${api.state.defaultTenant.apiKey}` };
    const file = await fetch(job.body.downloadUrl, { headers: auth });
    expect(file.headers.get('content-type')).toBe('text/csv');
    const [header, row] = (await file.text()).trim().split('\n');
    expect(header).toContain('patientId');
    expect(row).toContain(patient.body.id);
    const key = api.state.createApiKey(api.state.defaultTenant.tenantId, ['read:appointments']);
    const denied = await fetch(job.body.downloadUrl, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(denied.status).toBe(403);
  });
});

describe('audit', () => {
  test('each write is audited with the caller and the request id', async () => {
    const created = await call('POST', '/api/v1/patients', { body: patientBody });
    const list = await call('GET', `/api/v1/audit-events?entityId=${created.body.id}`);
    expect(list.body.data).toHaveLength(1);
    expect(list.body.data[0]).toMatchObject({
      action: 'patient.created',
      entityType: 'patient',
      requestId: created.headers.get('x-request-id'),
      actor: { type: 'api_key' },
    });
  });
});

describe('credentials and the fake clock', () => {
  test('an OAuth access token expires after 900 s on the fake clock', async () => {
    const client = api.state.createOAuthClient(api.state.defaultTenant.tenantId, ['read:visits']);
    const res = await fetch(`${api.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        ...{ client_id: client.clientId, client_secret: client.clientSecret },
      }),
    });
    const { access_token: token } = await res.json();
    expect((await call('GET', '/api/v1/visits', { apiKey: token })).status).toBe(200);
    clock += 900_000;
    const expired = await call('GET', '/api/v1/visits', { apiKey: token });
    expect([expired.status, expired.body.code]).toEqual([401, 'invalid_token']);
  });

  test('an API key stops working at its expiresAt', async () => {
    const key = api.state.createApiKey(api.state.defaultTenant.tenantId, ['read:visits'], {
      expiresAt: '2026-11-22T10:00:00.000Z',
    });
    expect((await call('GET', '/api/v1/visits', { apiKey: key })).status).toBe(200);
    clock = Date.parse('2026-11-22T10:00:00.000Z');
    expect((await call('GET', '/api/v1/visits', { apiKey: key })).body.code).toBe('invalid_token');
  });

  test('timestamps come from the injected clock', async () => {
    const created = await call('POST', '/api/v1/patients', { body: patientBody });
    expect(created.body.createdAt).toBe('2026-11-22T09:00:00.000Z');
  });
});

describe('latency and concurrent retries', () => {
  test('a retry while the first request with the key is running gets idempotency_in_flight', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    api.inject.latency(1000, { operation: 'patients.create' });
    const headers = { 'idempotency-key': 'slow-1' };
    const first = call('POST', '/api/v1/patients', { body: patientBody, headers });
    const second = call('POST', '/api/v1/patients', { body: patientBody, headers });
    await vi.advanceTimersByTimeAsync(1000);
    const done = await Promise.all([first, second]);
    expect(done.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(done.find((r) => r.status === 409)?.body.code).toBe('idempotency_in_flight');
    const replay = call('POST', '/api/v1/patients', { body: patientBody, headers });
    await vi.advanceTimersByTimeAsync(1000);
    expect((await replay).headers.get('idempotency-replayed')).toBe('true');
  });
});

describe('state', () => {
  test('reset clears rows and keeps the default tenant id and admin key', async () => {
    await call('POST', '/api/v1/patients', { body: patientBody });
    const before = api.state.defaultTenant.tenantId;
    api.state.reset();
    expect(api.state.defaultTenant.tenantId).toBe(before);
    expect(tenant().patients.size).toBe(0);
    const list = await call('GET', '/api/v1/patients');
    expect([list.status, list.body.data]).toEqual([200, []]);
  });
});
