/**
 * Runs the app on `@hono/node-server`: opens the database, applies the
 * platform's and the features' migrations, starts the features and the
 * scheduler (their subscribers and jobs) and listens. `close()`
 * is the graceful shutdown SIGTERM triggers: stop accepting connections,
 * let in-flight requests finish (up to SHUTDOWN_TIMEOUT_MS, then cut the
 * rest off), stop background work, close the database.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { type AppDeps, createApp, resolveAppContext } from './app.ts';
import type { CoreConfig } from './config/index.ts';
import { type Database, openDatabase } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import { migrateWithRoles } from './db/server-role.ts';
import type { AppContext, Clock, Feature } from './feature.ts';
import { appendOnlyTablesOf, migrationsOf, serverFeatures } from './features.ts';
import type { AppEnv } from './http/context.ts';
import { purgeExpiredIdempotencyKeys } from './kernel/idempotency.ts';
import { createLogger, type Logger } from './observability/logger.ts';
import { createMetrics } from './observability/metrics.ts';
import { startScheduler } from './scheduler/start.ts';

/**
 * A listening server.
 *
 * @example
 * const server: RunningServer = await startServer({ config }); await fetch(`${server.url}/healthz`);
 */
export interface RunningServer {
  app: Hono<AppEnv>;
  database: Database;
  /** What the features run with: configuration, providers, clock, metrics. */
  context: AppContext;
  /** `http://host:port` it listens on. */
  url: string;
  port: number;
  /** Graceful shutdown; resolves when everything is closed. */
  close(): Promise<void>;
}

/**
 * What `startServer` needs.
 *
 * @example
 * await startServer({ config, features: createServerFeatures(config) } satisfies ServerOptions);
 */
export interface ServerOptions {
  config: CoreConfig;
  /** An open database; by default one is opened from the config. */
  database?: Database;
  logger?: Logger;
  /** The features; default every feature of the server (`serverFeatures()`). */
  features?: readonly Feature[];
  now?: Clock;
}

/**
 * Opens the database from the config (PostgreSQL when DATABASE_URL is set).
 *
 * @example
 * const database = await openConfiguredDatabase(loadConfig());
 */
export function openConfiguredDatabase(config: CoreConfig): Promise<Database> {
  return openDatabase({
    url: config.DATABASE_URL,
    dataDir: config.DATA_DIR,
    poolSize: config.DATABASE_POOL_SIZE,
  });
}

/**
 * Applies the features' pending migrations. With MIGRATION_DATABASE_URL they
 * run as that role, which then grants the server's role (the one `database`
 * is connected as) only what it needs (src/db/server-role.ts); without it,
 * as the server's own role. Returns the names applied.
 *
 * @example
 * const applied = await migrateConfiguredDatabase(config, database, serverFeatures(), logger);
 */
export async function migrateConfiguredDatabase(
  config: CoreConfig,
  database: Database,
  features: readonly Feature[],
  logger?: Logger,
): Promise<string[]> {
  const migrations = migrationsOf(features);
  const migrationUrl = config.MIGRATION_DATABASE_URL;
  if (!migrationUrl) return migrateToLatest(database.db, migrations);
  if (database.kind !== 'postgres') {
    throw new Error('MIGRATION_DATABASE_URL needs the server on PostgreSQL (DATABASE_URL)');
  }
  const { applied, grants } = await migrateWithRoles({
    server: database,
    migrationUrl,
    migrations,
    appendOnly: appendOnlyTablesOf(features),
  });
  if (grants.granted) logger?.info({ role: grants.role }, 'server database role granted');
  else {
    logger?.warn(
      { role: grants.role, reason: grants.reason },
      'the server database role is not restricted: give DATABASE_URL its own non-superuser role',
    );
  }
  return applied;
}

/**
 * Migrates, starts features and listens.
 *
 * @example
 * const server = await startServer({ config: loadConfig() });
 * process.once('SIGTERM', () => server.close());
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { config } = options;
  const logger = options.logger ?? createLogger(config.LOG_LEVEL);
  const features = options.features ?? serverFeatures();
  const database = options.database ?? (await openConfiguredDatabase(config));
  const applied = await migrateConfiguredDatabase(config, database, features, logger);
  if (applied.length > 0) logger.info({ migrations: applied }, 'migrations applied');

  const deps: AppDeps = {
    database,
    config,
    logger,
    metrics: createMetrics({ defaultMetrics: true }),
    features,
    ...(options.now ? { now: options.now } : {}),
  };
  // One context for the app and the features' background work: same keys, metrics and clock.
  const context = resolveAppContext(deps);
  const app = createApp(deps, context);
  // Another process's key rotation reaches this one at its commit (and within the recheck bound regardless).
  const stopKeyWatch = await context.signingKeys.watch(database);
  if (context.providers.absent.length > 0) {
    logger.info({ providers: context.providers.absent }, 'providers not configured');
  }
  for (const feature of features) await feature.start?.(context);
  const scheduler = await startScheduler(context, features);

  const purge = setInterval(() => {
    purgeExpiredIdempotencyKeys(database.db, new Date()).catch((err: unknown) =>
      logger.warn({ err }, 'idempotency purge failed'),
    );
  }, 3_600_000);
  purge.unref();

  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, () =>
      resolve(s as Server),
    ) as Server;
  });
  const { port } = server.address() as AddressInfo;
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? '127.0.0.1' : config.HOST;

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      clearInterval(purge);
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      // Idle keep-alive sockets would hold close() open; busy ones finish their request first.
      server.closeIdleConnections();
      const deadline = setTimeout(() => server.closeAllConnections(), config.SHUTDOWN_TIMEOUT_MS);
      deadline.unref();
      await stopped;
      clearTimeout(deadline);
      await scheduler?.close();
      for (const feature of [...features].reverse()) await feature.stop?.();
      await stopKeyWatch();
      await context.redis?.close();
      await database.close();
    })();
    return closing;
  };
  return { app, database, context, url: `http://${host}:${port}`, port, close };
}
