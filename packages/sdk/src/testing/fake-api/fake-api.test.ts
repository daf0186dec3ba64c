/** The fake API over plain fetch: routing, auth and scopes, validation, pagination, idempotency, appointments, money, failure injection and OAuth. */
import { describe, expect, test } from 'vitest';
import { listOperations, problem } from '../../contract/index.ts';
import { allHandlers } from './handlers.ts';
import { appointmentBody, patientBody, useFakeApi } from './test-helpers.ts';

const { api, call } = useFakeApi();

async function newPatient() {
  const res = await call('POST', '/api/v1/patients', { body: patientBody });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

describe('routing', () => {
  test('every contract operation has exactly one handler', () => {
    const ids = allHandlers.map((h) => h.op.id).sort();
    expect(ids).toEqual(
      listOperations()
        .map((o) => o.id)
        .sort(),
    );
  });

  test('unknown paths are 404 and wrong methods 405, as problem+json with a request id', async () => {
    const missing = await call('GET', '/api/v1/nothing-here');
    expect(missing.status).toBe(404);
    expect(problem.safeParse(missing.body).success).toBe(true);
    const wrong = await call('PUT', '/api/v1/patients');
    expect(wrong.status).toBe(405);
    expect(wrong.body.code).toBe('method_not_allowed');
    expect(wrong.headers.get('x-request-id')).toBe(wrong.body.requestId);
  });

  test('every response carries X-Request-Id, unique per request', async () => {
    const a = await call('GET', '/api/v1/patients');
    const b = await call('GET', '/api/v1/patients');
    expect(a.headers.get('x-request-id')).toMatch(/^req_/);
    expect(a.headers.get('x-request-id')).not.toBe(b.headers.get('x-request-id'));
  });
});

describe('authentication and scopes', () => {
  test('no credentials → 401 unauthenticated; an unknown key → 401 invalid_token', async () => {
    const none = await call('GET', '/api/v1/patients', { apiKey: null });
    expect([none.status, none.body.code]).toEqual([401, 'unauthenticated']);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    const bad = await call('GET', '/api/v1/patients', { apiKey: 'cbk_test_nope' });
    expect([bad.status, bad.body.code]).toEqual([401, 'invalid_token']);
  });

  test('a key without the operation scope → 403 insufficient_scope', async () => {
    const key = api.state.createApiKey(api.state.defaultTenant.tenantId, ['read:appointments']);
    const res = await call('POST', '/api/v1/patients', { apiKey: key, body: patientBody });
    expect([res.status, res.body.code]).toEqual([403, 'insufficient_scope']);
    expect(res.body.detail).toContain('write:patients');
  });

  test('PII is hidden without read:patients:pii', async () => {
    const id = await newPatient();
    const key = api.state.createApiKey(api.state.defaultTenant.tenantId, ['read:patients']);
    const plain = await call('GET', `/api/v1/patients/${id}`, { apiKey: key });
    expect(plain.status).toBe(200);
    expect(plain.body).not.toHaveProperty('givenName');
    expect(plain.body).not.toHaveProperty('email');
    const full = await call('GET', `/api/v1/patients/${id}`);
    expect(full.body.givenName).toBe('Ada');
  });

  test("another tenant's id is 404, never the row", async () => {
    const id = await newPatient();
    const other = api.state.createTenant();
    const res = await call('GET', `/api/v1/patients/${id}`, { apiKey: other.apiKey });
    expect([res.status, res.body.code]).toEqual([404, 'not_found']);
    const list = await call('GET', '/api/v1/patients', { apiKey: other.apiKey });
    expect(list.body.data).toEqual([]);
  });

  test('a revoked integration token stops working on the next request', async () => {
    const created = await call('POST', '/api/v1/integration-tokens', {
      body: { name: 'Partner', scopes: ['read:patients'] },
    });
    expect(created.status).toBe(201);
    const ok = await call('GET', '/api/v1/patients', { apiKey: created.body.apiKey });
    expect(ok.status).toBe(200);
    await call('POST', `/api/v1/integration-tokens/${created.body.id}/revoke`);
    const after = await call('GET', '/api/v1/patients', { apiKey: created.body.apiKey });
    expect([after.status, after.body.code]).toEqual([401, 'invalid_token']);
  });
});

describe('validation', () => {
  test('every invalid field is reported with path, message and code', async () => {
    const res = await call('POST', '/api/v1/appointments', {
      body: {
        patientId: 'nope',
        service: '',
        startsAt: 'tomorrow',
        endsAt: '2026-12-01T09:30:00Z',
      },
    });
    expect([res.status, res.body.code]).toEqual([400, 'validation_failed']);
    const paths = res.body.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining(['body.patientId', 'body.service', 'body.startsAt']),
    );
    for (const e of res.body.errors)
      expect(Object.keys(e).sort()).toEqual(['code', 'message', 'path']);
  });

  test('bad params and query are validated too; unknown body fields are refused', async () => {
    const param = await call('GET', '/api/v1/appointments/not-an-id');
    expect(param.body.errors[0].path).toBe('params.appointmentId');
    const query = await call('GET', '/api/v1/appointments?limit=1000');
    expect(query.body.errors[0].path).toBe('query.limit');
    const extra = await call('POST', '/api/v1/patients', {
      body: { ...patientBody, isAdmin: true },
    });
    expect(extra.body.code).toBe('validation_failed');
  });

  test('malformed JSON → invalid_json; a non-JSON body → unsupported_media_type', async () => {
    const json = await call('POST', '/api/v1/patients', { body: '{"givenName":' });
    expect([json.status, json.body.code]).toEqual([400, 'invalid_json']);
    const form = await call('POST', '/api/v1/patients', {
      body: 'givenName=Ada',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect([form.status, form.body.code]).toEqual([415, 'unsupported_media_type']);
  });
});

describe('pagination', () => {
  test('pages through every row once with opaque cursors', async () => {
    for (let i = 0; i < 7; i++) await newPatient();
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const qs: string = cursor ? `?limit=3&cursor=${encodeURIComponent(cursor)}` : '?limit=3';
      const res = await call('GET', `/api/v1/patients${qs}`);
      seen.push(...res.body.data.map((p: { id: string }) => p.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(7);
  });

  test('a forged cursor, or one from another list, is invalid_cursor', async () => {
    for (let i = 0; i < 2; i++) await newPatient();
    const first = await call('GET', '/api/v1/patients?limit=1');
    const forged = await call('GET', '/api/v1/patients?cursor=abc!');
    expect([forged.status, forged.body.code]).toEqual([400, 'invalid_cursor']);
    const foreign = await call('GET', `/api/v1/visits?cursor=${first.body.nextCursor}`);
    expect(foreign.body.code).toBe('invalid_cursor');
  });
});

describe('idempotency', () => {
  test('a replay returns the stored response, marked, without a second write', async () => {
    const headers = { 'idempotency-key': 'key-1' };
    const first = await call('POST', '/api/v1/patients', { body: patientBody, headers });
    const again = await call('POST', '/api/v1/patients', {
      body: { familyName: 'Yılmaz', email: 'ada@example.com', givenName: 'Ada' },
      headers,
    });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotency-replayed')).toBe('true');
    expect(first.headers.get('idempotency-replayed')).toBeNull();
    expect(api.state.tenant(api.state.defaultTenant.tenantId).patients.size).toBe(1);
  });

  test('the same key with another body → 422 idempotency_key_reused', async () => {
    const headers = { 'idempotency-key': 'key-2' };
    await call('POST', '/api/v1/patients', { body: patientBody, headers });
    const reused = await call('POST', '/api/v1/patients', {
      body: { ...patientBody, givenName: 'Eve' },
      headers,
    });
    expect([reused.status, reused.body.code]).toEqual([422, 'idempotency_key_reused']);
  });

  test('a request that failed validation does not use up its key', async () => {
    const headers = { 'idempotency-key': 'key-3' };
    const bad = await call('POST', '/api/v1/patients', { body: { givenName: 'Ada' }, headers });
    expect(bad.status).toBe(400);
    const good = await call('POST', '/api/v1/patients', { body: patientBody, headers });
    expect(good.status).toBe(201);
  });

  test('finding 2: a key is bound to the credential that used it; another credential gets 422', async () => {
    const headers = { 'idempotency-key': 'key-owned' };
    const first = await call('POST', '/api/v1/patients', { body: patientBody, headers });
    expect(first.status).toBe(201);
    const writer = api.state.createApiKey(api.state.defaultTenant.tenantId, ['write:patients']);
    for (const body of [patientBody, { ...patientBody, givenName: 'Eve' }]) {
      const other = await call('POST', '/api/v1/patients', { body, headers, apiKey: writer });
      expect([other.status, other.body.code]).toEqual([422, 'idempotency_key_credential_mismatch']);
      expect(other.headers.get('idempotency-replayed')).toBeNull();
      expect(JSON.stringify(other.body)).not.toContain(first.body.id);
    }
    const again = await call('POST', '/api/v1/patients', { body: patientBody, headers });
    expect(again.headers.get('idempotency-replayed')).toBe('true');
    expect(api.state.tenant(api.state.defaultTenant.tenantId).patients.size).toBe(1);
  });

  test('keys are per tenant', async () => {
    const headers = { 'idempotency-key': 'shared' };
    const other = api.state.createTenant();
    const a = await call('POST', '/api/v1/patients', { body: patientBody, headers });
    const b = await call('POST', '/api/v1/patients', {
      body: patientBody,
      headers,
      apiKey: other.apiKey,
    });
    expect(b.status).toBe(201);
    expect(b.body.id).not.toBe(a.body.id);
  });
});

describe('appointments', () => {
  test('follow the state machine; illegal moves are 409 and change nothing', async () => {
    const patientId = await newPatient();
    const created = await call('POST', '/api/v1/appointments', {
      body: appointmentBody(patientId),
    });
    expect(created.body.status).toBe('scheduled');
    const id = created.body.id;
    const cancelled = await call('POST', `/api/v1/appointments/${id}/cancel`, {
      body: { reason: 'ill' },
    });
    expect(cancelled.body).toMatchObject({ status: 'cancelled', cancellationReason: 'ill' });
    const complete = await call('POST', `/api/v1/appointments/${id}/complete`);
    expect([complete.status, complete.body.code]).toEqual([409, 'invalid_state_transition']);
    const get = await call('GET', `/api/v1/appointments/${id}`);
    expect(get.body.status).toBe('cancelled');
  });

  test('writes record catalogue events, newest first', async () => {
    const patientId = await newPatient();
    const created = await call('POST', '/api/v1/appointments', {
      body: appointmentBody(patientId),
    });
    await call('POST', `/api/v1/appointments/${created.body.id}/complete`, { body: {} });
    const events = await call('GET', `/api/v1/events?entityId=${created.body.id}`);
    expect(events.body.data.map((e: { type: string }) => e.type)).toEqual([
      'appointment.completed',
      'appointment.created',
    ]);
    expect(events.body.data[0].tenantId).toBe(api.state.defaultTenant.tenantId);
  });
});

describe('money', () => {
  async function invoice() {
    const patientId = await newPatient();
    const res = await call('POST', '/api/v1/invoices', {
      body: {
        patientId,
        currency: 'EUR',
        lines: [
          {
            description: 'Crown',
            quantity: 2,
            unitPrice: { amount: 10_005, currency: 'EUR' },
            taxRateBps: 1800,
          },
          { description: 'X-ray', quantity: 1, unitPrice: { amount: 333, currency: 'EUR' } },
        ],
      },
    });
    expect(res.status).toBe(201);
    return res.body;
  }

  test('invoice totals use lineTax per line', async () => {
    const inv = await invoice();
    expect(inv.lines[0]).toMatchObject({ subtotal: { amount: 20_010 }, tax: { amount: 3602 } });
    expect(inv.total).toEqual({ amount: 20_010 + 3602 + 333, currency: 'EUR' });
    expect(inv.balance).toEqual(inv.total);
  });

  test('payments reduce the balance, never below zero, in the invoice currency only', async () => {
    const inv = await invoice();
    const pay = (amount: number, currency = 'EUR') =>
      call('POST', '/api/v1/payments', {
        body: {
          invoiceId: inv.id,
          amount: { amount, currency },
          method: 'card',
          source: 'terminal',
        },
      });
    expect((await pay(100, 'TRY')).body.code).toBe('currency_mismatch');
    const over = await pay(inv.total.amount + 1);
    expect([over.status, over.body.code]).toEqual([422, 'payment_exceeds_balance']);
    expect((await pay(945)).status).toBe(201);
    const rest = await pay(inv.total.amount - 945);
    expect(rest.status).toBe(201);
    const paid = await call('GET', `/api/v1/invoices/${inv.id}`);
    expect(paid.body).toMatchObject({ status: 'paid', balance: { amount: 0 } });
    expect((await pay(1)).body.code).toBe('payment_exceeds_balance');
  });

  test('refunds never exceed what is left of the payment', async () => {
    const inv = await invoice();
    const payment = await call('POST', '/api/v1/payments', {
      body: {
        invoiceId: inv.id,
        amount: { amount: 1000, currency: 'EUR' },
        method: 'cash',
        source: 'manual',
      },
    });
    const refund = (amount: number) =>
      call('POST', '/api/v1/refunds', {
        body: {
          paymentId: payment.body.id,
          amount: { amount, currency: 'EUR' },
          reason: 'overcharge',
        },
      });
    expect((await refund(600)).status).toBe(201);
    const over = await refund(401);
    expect([over.status, over.body.code]).toEqual([422, 'refund_exceeds_payment']);
    expect((await refund(400)).status).toBe(201);
    const after = await call('GET', `/api/v1/payments/${payment.body.id}`);
    expect(after.body).toMatchObject({ status: 'refunded', amountRefunded: { amount: 1000 } });
  });

  test('a checkout is pending until its gateway settles it; UPI needs Razorpay; no refund before success', async () => {
    const inv = await invoice();
    const upi = await call('POST', '/api/v1/checkouts', {
      body: { invoiceId: inv.id, gateway: 'stripe', method: 'upi' },
    });
    expect([upi.status, upi.body.code]).toEqual([422, 'unprocessable']);
    const over = await call('POST', '/api/v1/checkouts', {
      body: {
        invoiceId: inv.id,
        gateway: 'stripe',
        amount: { amount: inv.total.amount + 1, currency: 'EUR' },
      },
    });
    expect([over.status, over.body.code]).toEqual([422, 'payment_exceeds_balance']);
    const created = await call('POST', '/api/v1/checkouts', {
      body: { invoiceId: inv.id, gateway: 'stripe' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'pending', amount: inv.balance, paymentId: null });
    const got = await call('GET', `/api/v1/checkouts/${created.body.id}`);
    expect(got.body).toEqual(created.body);
    const refund = await call('POST', `/api/v1/checkouts/${created.body.id}/refund`, {
      body: { amount: { amount: 1, currency: 'EUR' }, reason: 'duplicate' },
    });
    expect([refund.status, refund.body.code]).toEqual([409, 'invalid_state_transition']);
    expect(
      api.state
        .tenant(api.state.defaultTenant.tenantId)
        .events.values()
        .map((e) => e.type),
    ).toContain('payment.initiated');
  });
});

describe('failure injection', () => {
  test('rate limits the next N requests of one operation with Retry-After', async () => {
    api.inject.rateLimit({ times: 2, retryAfter: 7, operation: 'patients.list' });
    const a = await call('GET', '/api/v1/patients');
    expect([a.status, a.body.code, a.body.retryAfter]).toEqual([429, 'rate_limited', 7]);
    expect(a.headers.get('retry-after')).toBe('7');
    expect(a.headers.get('ratelimit')).toBe('"standard";r=0;t=7');
    expect((await call('GET', '/api/v1/visits')).status).toBe(200);
    expect((await call('GET', '/api/v1/patients')).status).toBe(429);
    expect((await call('GET', '/api/v1/patients')).status).toBe(200);
  });

  test('server errors carry the requested status', async () => {
    api.inject.serverError({ status: 503 });
    api.inject.serverError({ status: 504 });
    const unavailable = await call('GET', '/api/v1/patients');
    expect([unavailable.status, unavailable.body.code]).toEqual([503, 'service_unavailable']);
    const gateway = await call('GET', '/api/v1/patients');
    expect([gateway.status, gateway.body.status, gateway.body.code]).toEqual([
      504,
      504,
      'internal_error',
    ]);
    expect((await call('GET', '/api/v1/patients')).status).toBe(200);
  });

  test('network errors make fetch reject', async () => {
    api.inject.networkError({ times: 1 });
    await expect(call('GET', '/api/v1/patients')).rejects.toThrow();
    expect((await call('GET', '/api/v1/patients')).status).toBe(200);
  });
});

describe('OAuth client credentials', () => {
  async function token(form: Record<string, string>, basic?: string) {
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (basic) headers.authorization = `Basic ${btoa(basic)}`;
    const res = await fetch(`${api.baseUrl}/oauth/token`, {
      method: 'POST',
      headers,
      body: new URLSearchParams(form).toString(),
    });
    return { status: res.status, body: await res.json() };
  }

  test('issues a bearer token bound to the requested scopes', async () => {
    const tenant = api.state.defaultTenant.tenantId;
    const client = api.state.createOAuthClient(tenant, ['read:patients', 'write:patients']);
    const res = await token(
      { grant_type: 'client_credentials', scope: 'read:patients' },
      `${client.clientId}:${client.clientSecret}`,
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      token_type: 'Bearer',
      scope: 'read:patients',
      expires_in: 900,
    });
    const read = await call('GET', '/api/v1/patients', { apiKey: res.body.access_token });
    expect(read.status).toBe(200);
    const write = await call('POST', '/api/v1/patients', {
      apiKey: res.body.access_token,
      body: patientBody,
    });
    expect(write.body.code).toBe('insufficient_scope');
  });

  test('refuses wrong secrets and scopes the client was not granted', async () => {
    const client = api.state.createOAuthClient(api.state.defaultTenant.tenantId, ['read:patients']);
    const wrong = await token({
      grant_type: 'client_credentials',
      client_id: client.clientId,
      client_secret: 'x',
    });
    expect([wrong.status, wrong.body.error]).toEqual([401, 'invalid_client']);
    const scope = await token({
      grant_type: 'client_credentials',
      client_id: client.clientId,
      client_secret: client.clientSecret,
      scope: 'write:payments',
    });
    expect([scope.status, scope.body.error]).toEqual([400, 'invalid_scope']);
  });
});
