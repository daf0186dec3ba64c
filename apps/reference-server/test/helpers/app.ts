/**
 * A test app on a fresh database with one or more tenants, and a `call`
 * helper that sends JSON with a bearer credential and an idempotency key
 * for writes. Requests go through `app.request` (no socket) unless a test
 * starts a real server.
 */
import type { Hono } from 'hono';
import { type AppDeps, createApp, resolveAppContext } from '../../src/app.ts';
import { type CoreConfig, loadConfig } from '../../src/config/index.ts';
import type { AppContext } from '../../src/feature.ts';
import { resourceFeatures } from '../../src/features.ts';
import type { AppEnv } from '../../src/http/context.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { type CreatedTenant, createTenant } from '../../src/tenants/service.ts';
import { openTestDatabase, type TestDatabase } from './database.ts';

/** A running test app. */
export interface TestApp {
  app: Hono<AppEnv>;
  /** The context the app's features got (its wake-up, providers, metrics). */
  context: AppContext;
  database: TestDatabase;
  config: CoreConfig;
  tenants: CreatedTenant[];
  close(): Promise<void>;
}

/** Options of a request made by {@link call}. */
export interface CallOptions {
  token?: string | undefined;
  body?: unknown;
  rawBody?: string;
  idempotencyKey?: string | null;
  headers?: Record<string, string>;
}

/**
 * Opens a database, creates `tenantCount` tenants and builds the app.
 *
 * @example
 * const t = await startTestApp();
 * const res = await call(t.app, 'GET', '/api/v1/patients', { token: t.tenants[0]!.apiKey });
 */
export async function startTestApp(
  options: { tenantCount?: number; env?: Record<string, string>; deps?: Partial<AppDeps> } = {},
): Promise<TestApp> {
  const database = await openTestDatabase();
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    PUBLIC_URL: 'http://127.0.0.1:8080',
    ...options.env,
  });
  const tenants: CreatedTenant[] = [];
  for (let i = 0; i < (options.tenantCount ?? 2); i++) {
    tenants.push(await createTenant(database.db, { name: `Clinic ${i + 1}` }));
  }
  // The API resources always; `deps.features` adds to them.
  const deps: AppDeps = {
    database,
    config,
    logger: createLogger('silent'),
    ...options.deps,
    features: [...resourceFeatures, ...(options.deps?.features ?? [])],
  };
  const context = resolveAppContext(deps);
  const app = createApp(deps, context);
  return { app, context, database, config, tenants, close: () => database.close() };
}

/**
 * Anything that answers a request for a path: a test app (`app.request`,
 * no socket) or a started server ({@link httpRequester}).
 *
 * @example
 * const target: Requester = t.app; // or httpRequester(running.server.url)
 */
export interface Requester {
  request(path: string, init: RequestInit): Response | Promise<Response>;
}

/**
 * Sends requests to a started server over real HTTP.
 *
 * @example
 * await call(httpRequester(running.server.url), 'GET', '/api/v1/patients', { token });
 */
export function httpRequester(baseUrl: string): Requester {
  return { request: (path, init) => fetch(`${baseUrl}${path}`, init) };
}

let keyCounter = 0;

/**
 * Sends one request to the app; writes get a fresh Idempotency-Key unless one is given (or null).
 *
 * @example
 * const res = await call(app, 'POST', '/api/v1/patients', { token, body: { givenName: 'A', familyName: 'B' } });
 */
export async function call(
  app: Requester,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const hasBody = options.body !== undefined || options.rawBody !== undefined;
  if (hasBody) headers['content-type'] ??= 'application/json';
  if (method !== 'GET' && options.idempotencyKey !== null) {
    headers['idempotency-key'] = options.idempotencyKey ?? `test-${process.pid}-${++keyCounter}`;
  }
  return app.request(path, {
    method,
    headers,
    ...(hasBody ? { body: options.rawBody ?? JSON.stringify(options.body) } : {}),
  });
}

/**
 * Parses a JSON response body.
 *
 * @example
 * const body = await json<{ id: string }>(res);
 */
export async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}
