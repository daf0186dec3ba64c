/**
 * The fake ClinicBridge API: MSW handlers implementing the whole API v1
 * contract in memory, for partners' tests and the SDK's own.
 */
import type { HttpHandler } from 'msw';
import { allHandlers } from './handlers.ts';
import { FailureInjector } from './inject.ts';
import { buildHandlers } from './router.ts';
import { FakeApiState } from './state.ts';
import { FakeWorld } from './world.ts';

export type { Caller } from './auth.ts';
export type { Row } from './collection.ts';
export { Collection } from './collection.ts';
export type { InjectionTarget } from './inject.ts';
export { FailureInjector } from './inject.ts';
export type { OperationId } from './operation-id.ts';
export { FakeApiState, type TestTenant } from './state.ts';
export { type StoredExportJob, type StoredWebhookEndpoint, TenantState } from './tenant-state.ts';

/**
 * Base URL the fake API answers on when none is given.
 *
 * @example
 * new ClinicBridge({ baseUrl: DEFAULT_FAKE_BASE_URL, apiKey: DEFAULT_FAKE_API_KEY });
 */
export const DEFAULT_FAKE_BASE_URL = 'https://api.clinicbridge.test';

/**
 * Admin API key (every scope) of the default tenant when none is given.
 *
 * @example
 * new ClinicBridge({ baseUrl: DEFAULT_FAKE_BASE_URL, apiKey: DEFAULT_FAKE_API_KEY });
 */
export const DEFAULT_FAKE_API_KEY = 'cbk_test_admin';

/**
 * Options of {@link createFakeApi}.
 *
 * @example
 * const options: FakeApiOptions = { baseUrl: 'https://api.clinicbridge.test', now: () => new Date('2026-11-22T09:00:00Z') };
 */
export interface FakeApiOptions {
  /** Origin the handlers answer on, without a trailing slash. Default {@link DEFAULT_FAKE_BASE_URL}. */
  baseUrl?: string;
  /** Admin key of the default tenant. Default {@link DEFAULT_FAKE_API_KEY}. */
  apiKey?: string;
  /** Clock for timestamps and token expiry. Default: the system clock. */
  now?: () => Date;
  /** The address requests come from, for IP allowlists (`state.clientAddress`). Default `127.0.0.1`. */
  clientAddress?: string;
}

/**
 * A fake API: its MSW handlers, its state, and failure injection.
 *
 * @example
 * const api: FakeApi = createFakeApi();
 */
export interface FakeApi {
  /** MSW handlers: pass them to `setupServer(...)` or `setupWorker(...)`. */
  readonly handlers: HttpHandler[];
  readonly state: FakeApiState;
  readonly inject: FailureInjector;
  readonly baseUrl: string;
}

/**
 * Creates an in-memory ClinicBridge API for tests: every contract operation
 * with tenant state, scopes, pagination, idempotency, validation errors and
 * the domain rules, plus OAuth client credentials and failure injection.
 *
 * @example
 * import { setupServer } from 'msw/node';
 * import { createFakeApi } from '@clinicbridge/sdk/testing';
 *
 * const api = createFakeApi();
 * const server = setupServer(...api.handlers);
 * server.listen();
 * const client = new ClinicBridge({ baseUrl: api.baseUrl, apiKey: api.state.defaultTenant.apiKey });
 */
export function createFakeApi(options: FakeApiOptions = {}): FakeApi {
  const baseUrl = (options.baseUrl ?? DEFAULT_FAKE_BASE_URL).replace(/\/+$/, '');
  const world = new FakeWorld(baseUrl, options.now ?? (() => new Date()));
  if (options.clientAddress !== undefined) world.clientAddress = options.clientAddress;
  const state = new FakeApiState(world, options.apiKey ?? DEFAULT_FAKE_API_KEY);
  const inject = new FailureInjector();
  return { handlers: buildHandlers(world, inject, allHandlers), state, inject, baseUrl };
}
