/**
 * The ClinicBridge client against the fake API through MSW: retries on
 * injected 429s, 5xx and network errors, one write per idempotency key, and
 * OAuth client credentials end to end. The clock is injected, so Retry-After
 * waits are recorded instead of slept.
 */
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { ClinicBridge, type Clock, isRateLimitError } from '../index.ts';
import { createFakeApi, fixtures } from './index.ts';

const api = createFakeApi();
const server = setupServer(...api.handlers);
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => {
  api.state.reset();
  api.inject.reset();
});
afterAll(() => server.close());

function recordingClock() {
  const waits: number[] = [];
  const clock: Clock = {
    now: () => Date.now(),
    sleep: async (ms) => {
      waits.push(ms);
    },
  };
  return { clock, waits };
}

function client(clock: Clock, maxRetries = 3) {
  return new ClinicBridge({
    baseUrl: api.baseUrl,
    apiKey: api.state.defaultTenant.apiKey,
    clock,
    random: () => 0.5,
    retry: { maxRetries },
  });
}

describe('the client against the fake API', () => {
  test('waits Retry-After on 429 and succeeds on the next attempt', async () => {
    const { clock, waits } = recordingClock();
    api.inject.rateLimit({ times: 2, retryAfter: 3, operation: 'patients.list' });
    const page = await client(clock).patients.list().page();
    expect(page.data).toEqual([]);
    expect(waits).toEqual([3000, 3000]);
  });

  test('gives up with a RateLimitError once retries are spent', async () => {
    const { clock } = recordingClock();
    api.inject.rateLimit({ times: 5, retryAfter: 1 });
    const error = await client(clock, 1)
      .patients.list()
      .page()
      .catch((e: unknown) => e);
    expect(isRateLimitError(error)).toBe(true);
    expect((error as { retryAfter?: number }).retryAfter).toBe(1);
  });

  test('a write retried after a 503 and a network error happens once, under one key', async () => {
    const { clock } = recordingClock();
    api.inject.serverError({ status: 503, operation: 'patients.create' });
    api.inject.networkError({ operation: 'patients.create' });
    const result = await client(clock)
      .patients.create({ givenName: 'Ada', familyName: 'Yıldız' })
      .withResponse();
    expect(result.status).toBe(201);
    expect(result.attempts).toBe(3);
    expect(api.state.tenant(api.state.defaultTenant.tenantId).patients.size).toBe(1);
  });

  test('reads rows seeded with fixtures', async () => {
    const { clock } = recordingClock();
    const tenant = api.state.tenant(api.state.defaultTenant.tenantId);
    const patient = tenant.patients.insert(fixtures.patient());
    const appointment = tenant.appointments.insert(fixtures.appointment({ patientId: patient.id }));
    const got = await client(clock).appointments.get({ appointmentId: appointment.id });
    expect(got).toEqual(appointment);
  });

  test('authenticates with OAuth client credentials and is held to the granted scopes', async () => {
    const { clock } = recordingClock();
    const { clientId, clientSecret } = api.state.createOAuthClient(
      api.state.defaultTenant.tenantId,
      ['read:appointments', 'write:appointments'],
    );
    const oauth = new ClinicBridge({
      baseUrl: api.baseUrl,
      clientId,
      clientSecret,
      scopes: ['read:appointments'],
      clock,
    });
    expect((await oauth.appointments.list().page()).data).toEqual([]);
    const denied = await oauth.patients
      .list()
      .page()
      .catch((e: unknown) => e);
    expect(denied).toMatchObject({ status: 403, code: 'insufficient_scope' });
  });
});
