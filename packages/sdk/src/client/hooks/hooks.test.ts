/** Lifecycle hooks through a real call: redacted headers, bodies only on request, no credential in any event, and hooks that throw. */
import { describe, expect, it } from 'vitest';
import { fakeClock } from '../__fixtures__/fake-clock.ts';
import { API_KEY, BASE_URL } from '../__fixtures__/samples.ts';
import { json, problem, scriptedFetch } from '../__fixtures__/scripted-fetch.ts';
import { ClinicBridge } from '../clinic-bridge.ts';
import type { RequestEvent, ResponseEvent, RetryEvent } from './types.ts';

const created = {
  id: 'tok_aaaaaaaaaaaaaaaaaaaaaaaaaa',
  name: 'Partner',
  scopes: ['read:appointments'],
  status: 'active',
  tier: 'standard',
  keyPrefix: 'cb_live_ab',
  createdBy: 'admin',
  createdAt: '2026-11-22T08:00:00Z',
  expiresAt: null,
  revokedAt: null,
  lastUsedAt: null,
  apiKey: 'cb_live_NEWLY_ISSUED_SECRET_KEY',
};

function observed(logBodies: boolean, steps: Parameters<typeof scriptedFetch>[0]) {
  const events: Array<RequestEvent | ResponseEvent | RetryEvent> = [];
  const lines: string[] = [];
  const client = new ClinicBridge({
    baseUrl: BASE_URL,
    apiKey: API_KEY,
    fetch: scriptedFetch(steps).fetch,
    clock: fakeClock(),
    logBodies,
    headers: { cookie: 'session=abc' },
    hooks: {
      onRequest: (e) => {
        events.push(e);
        lines.push(JSON.stringify(e));
      },
      onResponse: (e) => {
        events.push(e);
        lines.push(JSON.stringify(e));
      },
      onRetry: (e) => {
        events.push(e);
        lines.push(JSON.stringify(e));
      },
    },
  });
  return { client, events, lines };
}

describe('hooks', () => {
  it('receive redacted headers and no bodies by default', async () => {
    const { client, events } = observed(false, [json(created, 201)]);
    await client.integrationTokens.create({ name: 'Partner', scopes: ['read:appointments'] });
    const [request, response] = events as [RequestEvent, ResponseEvent];
    expect(request.headers.authorization).toBe('[redacted]');
    expect(request.headers.cookie).toBe('[redacted]');
    expect(request.headers['idempotency-key']).toBeTruthy();
    expect(request.body).toBeUndefined();
    expect(response.responseBody).toBeUndefined();
    expect(response.status).toBe(201);
    expect(response.requestId).toBe('req_201');
  });

  it('receive bodies with secret fields redacted when logBodies is on', async () => {
    const { client, events } = observed(true, [json(created, 201)]);
    await client.integrationTokens.create({ name: 'Partner', scopes: ['read:appointments'] });
    const response = events[1] as ResponseEvent;
    expect(response.body).toEqual({
      name: 'Partner',
      scopes: ['read:appointments'],
    });
    expect(response.responseBody).toMatchObject({ id: created.id, apiKey: '[redacted]' });
  });

  it('never see a credential, across attempts, retries and failures', async () => {
    const { client, lines } = observed(true, [
      problem(503, 'service_unavailable'),
      json(created, 201),
    ]);
    const token = await client.integrationTokens.create({
      name: 'Partner',
      scopes: ['read:appointments'],
    });
    expect(token.apiKey).toBe(created.apiKey);
    expect(lines.length).toBeGreaterThanOrEqual(5);
    for (const line of lines) {
      expect(line).not.toContain(API_KEY);
      expect(line).not.toContain(created.apiKey);
      expect(line).not.toContain('session=abc');
    }
  });

  it('that throw do not fail the call', async () => {
    const client = new ClinicBridge({
      baseUrl: BASE_URL,
      apiKey: API_KEY,
      fetch: scriptedFetch([json(created, 201)]).fetch,
      hooks: {
        onRequest: () => {
          throw new Error('logger down');
        },
      },
    });
    await expect(
      client.integrationTokens.create({ name: 'Partner', scopes: ['read:appointments'] }),
    ).resolves.toMatchObject({ id: created.id });
  });
});

describe('onError', () => {
  it('is called once per failed call, with an error that carries no credential', async () => {
    const errors: Array<{ operationId: string; error: Error }> = [];
    const client = new ClinicBridge({
      baseUrl: BASE_URL,
      apiKey: API_KEY,
      clock: fakeClock(),
      fetch: scriptedFetch([new TypeError('connect ECONNREFUSED'), problem(401, 'invalid_token')])
        .fetch,
      hooks: { onError: (e) => errors.push(e) },
    });
    const error = await client.patients
      .list()
      .page()
      .catch((e: unknown) => e);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.operationId).toBe('patients.list');
    expect(errors[0]!.error).toBe(error);
    expect((error as Error).name).toBe('AuthenticationError');
    const everything = `${(error as Error).message} ${(error as Error).stack} ${JSON.stringify(error)}`;
    expect(everything).not.toContain(API_KEY);
  });
});
