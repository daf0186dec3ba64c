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
