/**
 * Helpers for this folder's tests: a fake API behind an MSW server and a
 * plain `fetch` wrapper, so tests see exactly the HTTP a client would.
 */
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { createFakeApi, type FakeApi, type FakeApiOptions } from './index.ts';

/**
 * A parsed response.
 *
 * @example
 * const res: TestResponse = await call('GET', '/api/v1/patients');
 */
export interface TestResponse {
  status: number;
  headers: Headers;
  // Tests read arbitrary fields of the JSON body.
  // biome-ignore lint/suspicious/noExplicitAny: test-only convenience
  body: any;
}

/**
 * Starts a fake API for the calling test file; `call` sends one request to it.
 *
 * @example
 * const { api, call } = useFakeApi();
 * const res = await call('GET', '/api/v1/patients');
 */
export function useFakeApi(options: FakeApiOptions = {}) {
  const api: FakeApi = createFakeApi(options);
  const server = setupServer(...api.handlers);
  beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
  afterEach(() => {
    api.state.reset();
    api.inject.reset();
  });
  afterAll(() => server.close());

  async function call(
    method: string,
    path: string,
    init: { body?: unknown; apiKey?: string | null; headers?: Record<string, string> } = {},
  ): Promise<TestResponse> {
    const headers = new Headers(init.headers);
    const key = init.apiKey === undefined ? api.state.defaultTenant.apiKey : init.apiKey;
    if (key !== null) headers.set('authorization', `Bearer ${key}`);
    let body: string | undefined;
    if (init.body !== undefined) {
      body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
      if (!headers.has('content-type')) headers.set('content-type', 'application/json');
    }
    const res = await fetch(`${api.baseUrl}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  }

  return { api, call };
}

/**
 * A valid patient creation body.
 *
 * @example
 * await call('POST', '/api/v1/patients', { body: patientBody });
 */
export const patientBody = { givenName: 'Ada', familyName: 'Yılmaz', email: 'ada@example.com' };

/**
 * A valid appointment creation body for `patientId`.
 *
 * @example
 * await call('POST', '/api/v1/appointments', { body: appointmentBody(patientId) });
 */
export function appointmentBody(patientId: string) {
  return {
    patientId,
    service: 'Dental check-up',
    startsAt: '2026-12-01T09:00:00Z',
    endsAt: '2026-12-01T09:30:00Z',
  };
}
