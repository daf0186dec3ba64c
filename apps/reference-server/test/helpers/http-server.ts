/**
 * A real HTTP server on 127.0.0.1 (random port) over a fresh test
 * database, with two tenants: for tests that go through sockets and the
 * real SDK client.
 */

import { loadConfig } from '../../src/config/index.ts';
import type { Database } from '../../src/db/database.ts';
import type { Feature } from '../../src/feature.ts';
import { configSections, resourceFeatures } from '../../src/features.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { type RunningServer, startServer } from '../../src/server.ts';
import { type CreatedTenant, createTenant } from '../../src/tenants/service.ts';
import { openTestDatabase } from './database.ts';

/** A listening test server and its tenants. */
export interface TestServer {
  server: RunningServer;
  tenants: CreatedTenant[];
}

/**
 * Starts a server on 127.0.0.1 with `tenantCount` tenants.
 *
 * @example
 * const { server, tenants } = await startTestServer();
 * await fetch(`${server.url}/healthz`);
 */
export async function startTestServer(
  options: {
    tenantCount?: number;
    env?: Record<string, string>;
    features?: Feature[];
    /** The server's clock (default the real one). */
    now?: () => Date;
    /** Another server's database, to run two servers on one (the caller closes it). */
    database?: Database;
  } = {},
): Promise<TestServer> {
  const database = options.database
    ? { ...options.database, close: async () => undefined }
    : await openTestDatabase();
  // The API resources always; `features` adds to them.
  const features = [...resourceFeatures, ...(options.features ?? [])];
  const config = loadConfig(
    {
      PORT: '1',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      SHUTDOWN_TIMEOUT_MS: '2000',
      ...options.env,
    },
    configSections(features),
  );
  const server = await startServer({
    config: { ...config, PORT: 0 },
    database,
    logger: createLogger(config.LOG_LEVEL),
    features,
    ...(options.now ? { now: options.now } : {}),
  });
  const tenants: CreatedTenant[] = [];
  for (let i = 0; i < (options.tenantCount ?? 2); i++) {
    tenants.push(await createTenant(database.db, { name: `Clinic ${i + 1}` }));
  }
  return { server, tenants };
}

/** A JSON answer of a started server: its status and parsed body. */
export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** Requests as one tenant's admin key to a started server. */
export interface TenantClient {
  /** Sends JSON (writes with a fresh Idempotency-Key) and answers status and body. */
  call(method: string, path: string, body?: unknown): Promise<Answer>;
  /** As {@link TenantClient.call}, and throws on any status from 300 up. */
  api<T>(method: string, path: string, body?: unknown): Promise<T>;
}

/**
 * One tenant's client of the server `running()` returns (read on each call, so a
 * file can build it before `beforeAll` starts the server).
 *
 * @example
 * let running: TestServer;
 * const { call, api } = tenantClient(() => running);
 * const patient = await api<{ id: string }>('POST', '/api/v1/patients', body);
 */
export function tenantClient(running: () => TestServer, tenant = 0): TenantClient {
  const call = async (method: string, path: string, body?: unknown): Promise<Answer> => {
    const { server, tenants } = running();
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${tenants[tenant]?.apiKey}`,
        'content-type': 'application/json',
        ...(method === 'GET' ? {} : { 'idempotency-key': crypto.randomUUID() }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await call(method, path, body);
    if (res.status >= 300)
      throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as T;
  };
  return { call, api };
}
