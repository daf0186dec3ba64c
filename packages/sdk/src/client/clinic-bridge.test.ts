/** `ClinicBridge` over MSW: one method per operation, requests as sent, pagination, 204s and typed errors. */
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listOperations, operations } from '../contract/index.ts';
import { API_KEY, appointmentSample, BASE_URL, problemBody } from './__fixtures__/samples.ts';
import { ClinicBridge } from './clinic-bridge.ts';
import { isClinicBridgeError, isNotFoundError, isValidationError } from './errors/guards.ts';

const seen: Request[] = [];
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => {
  server.resetHandlers();
  seen.length = 0;
});
afterAll(() => server.close());

const client = () => new ClinicBridge({ baseUrl: `${BASE_URL}/`, apiKey: API_KEY });
const url = (path: string) => `${BASE_URL}${path}`;

describe('ClinicBridge namespaces', () => {
  it('has one method per contract operation', () => {
    const c = client() as unknown as Record<string, Record<string, unknown>>;
    for (const op of listOperations()) {
      const [resource, action] = op.id.split('.') as [string, string];
      expect(typeof c[resource]?.[action], op.id).toBe('function');
    }
    expect(Object.keys(operations).every((r) => r in c)).toBe(true);
  });

  it('gets a resource with the API key as bearer and returns typed, validated data', async () => {
    server.use(
      http.get(url('/api/v1/appointments/:id'), ({ request, params }) => {
        seen.push(request);
        return HttpResponse.json(appointmentSample({ id: params.id as `apt_${string}` }), {
          headers: { 'x-request-id': 'req_get_1' },
        });
      }),
    );
    const result = await client()
      .appointments.get({ appointmentId: 'apt_cccccccccccccccccccccccccc' })
      .withResponse();
    expect(result.data.id).toBe('apt_cccccccccccccccccccccccccc');
    expect(result.data.status).toBe('scheduled');
    expect(result.requestId).toBe('req_get_1');
    expect(result.status).toBe(200);
    const request = seen[0]!;
    expect(request.headers.get('authorization')).toBe(`Bearer ${API_KEY}`);
    expect(request.headers.get('idempotency-key')).toBeNull();
    expect(request.headers.get('traceparent')).toMatch(/^00-[\da-f]{32}-[\da-f]{16}-01$/);
  });

  it('sends writes as JSON with a generated Idempotency-Key, or the one given', async () => {
    server.use(
      http.post(url('/api/v1/appointments/:id/cancel'), async ({ request }) => {
        seen.push(request.clone());
        const body = (await request.json()) as { reason: string };
        return HttpResponse.json(
          appointmentSample({ status: 'cancelled', cancellationReason: body.reason }),
          { headers: { 'idempotency-replayed': seen.length > 1 ? 'true' : 'false' } },
        );
      }),
    );
    const c = client();
    const first = await c.appointments.cancel(
      { appointmentId: 'apt_aaaaaaaaaaaaaaaaaaaaaaaaaa' },
      { reason: 'patient request' },
    );
    expect(first.cancellationReason).toBe('patient request');
    const generated = seen[0]!.headers.get('idempotency-key');
    expect(generated).toMatch(/^[\da-f-]{36}$/);
    expect(seen[0]!.headers.get('content-type')).toBe('application/json');

    const replay = await c.appointments
      .cancel(
        { appointmentId: 'apt_aaaaaaaaaaaaaaaaaaaaaaaaaa' },
        { reason: 'patient request' },
        { idempotencyKey: 'order-42-cancel' },
      )
      .withResponse();
    expect(seen[1]!.headers.get('idempotency-key')).toBe('order-42-cancel');
    expect(replay.replayed).toBe(true);
    expect(replay.idempotencyKey).toBe('order-42-cancel');
  });

  it('serialises the query with undefined values dropped and walks every page', async () => {
    const all = ['a', 'b', 'c', 'd', 'e'].map((ch) =>
      appointmentSample({ id: `apt_${ch.repeat(26)}` as `apt_${string}` }),
    );
    server.use(
      http.get(url('/api/v1/appointments'), ({ request }) => {
        seen.push(request);
        const q = new URL(request.url).searchParams;
        const start = Number(q.get('cursor') ?? 0);
        const limit = Number(q.get('limit'));
        const data = all.slice(start, start + limit);
        const next = start + limit < all.length ? String(start + limit) : null;
        return HttpResponse.json({ data, nextCursor: next });
      }),
    );
    const ids: string[] = [];
    for await (const a of client().appointments.list({
      limit: 2,
      status: 'scheduled',
      patientId: undefined,
    })) {
      ids.push(a.id);
    }
    expect(ids).toEqual(all.map((a) => a.id));
    expect(seen.map((r) => new URL(r.url).search)).toEqual([
      '?limit=2&status=scheduled',
      '?limit=2&status=scheduled&cursor=2',
      '?limit=2&status=scheduled&cursor=4',
    ]);

    const page = await client().appointments.list({ limit: 2 }).page();
    expect(page.data).toHaveLength(2);
    expect(page.nextCursor).toBe('2');
  });

  it('returns undefined for 204 responses', async () => {
    server.use(
      http.delete(
        url('/api/v1/webhook-endpoints/:id'),
        () => new HttpResponse(null, { status: 204 }),
      ),
    );
    const result = await client().webhookEndpoints.delete({
      endpointId: 'whep_aaaaaaaaaaaaaaaaaaaaaaaaaa',
    });
    expect(result).toBeUndefined();
  });

  it('throws a NotFoundError carrying status, code, request id and problem', async () => {
    server.use(
      http.get(url('/api/v1/appointments/:id'), () =>
        HttpResponse.json(problemBody('not_found', 404, { detail: 'No such appointment' }), {
          status: 404,
          headers: { 'content-type': 'application/problem+json', 'x-request-id': 'req_problem' },
        }),
      ),
    );
    const error = await client()
      .appointments.get({ appointmentId: 'apt_aaaaaaaaaaaaaaaaaaaaaaaaaa' })
      .catch((e: unknown) => e);
    expect(isNotFoundError(error)).toBe(true);
    expect(isClinicBridgeError(error)).toBe(true);
    if (!isNotFoundError(error)) return;
    expect(error.status).toBe(404);
    expect(error.code).toBe('not_found');
    expect(error.requestId).toBe('req_problem');
    expect(error.problem?.detail).toBe('No such appointment');
    expect(error.operationId).toBe('appointments.get');
    expect(error.message).toContain('No such appointment');
  });

  it('throws a ValidationError listing field issues', async () => {
    const errors = [
      { path: 'body.startsAt', message: 'Invalid ISO datetime', code: 'invalid_format' },
    ];
    server.use(
      http.post(url('/api/v1/appointments'), () =>
        HttpResponse.json(problemBody('validation_failed', 400, { errors }), { status: 400 }),
      ),
    );
    const error = await client()
      .appointments.create({
        patientId: 'pat_bbbbbbbbbbbbbbbbbbbbbbbbbb',
        service: 'x',
        startsAt: 'nope',
        endsAt: 'nope',
      })
      .catch((e: unknown) => e);
    expect(isValidationError(error)).toBe(true);
    if (isValidationError(error)) expect(error.issues).toEqual(errors);
  });
});

describe('withResponse', () => {
  it('rejects with the typed error and leaves no unhandled rejection behind', async () => {
    server.use(
      http.get(url('/api/v1/appointments/:id'), () =>
        HttpResponse.json(problemBody('not_found', 404), { status: 404 }),
      ),
    );
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const error = await client()
        .appointments.get({ appointmentId: 'apt_aaaaaaaaaaaaaaaaaaaaaaaaaa' })
        .withResponse()
        .catch((e: unknown) => e);
      expect(isNotFoundError(error)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
