/**
 * Runs the app on `@hono/node-server`: opens the database, applies the
 * platform's and the features' migrations, starts the features and the
 * scheduler (their subscribers and jobs) and listens. `close()`
 * is the graceful shutdown SIGTERM triggers: stop accepting connections,
 * let in-flight requests finish (up to SHUTDOWN_TIMEOUT_MS, then cut the
 * rest off), stop background work, close the database.
 */
import type { Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { type AppDeps, createApp, resolveAppContext } from './app.ts';
import { ConfigError, type CoreConfig } from './config/index.ts';
import { DEV_KEYS_FILE, resolveKeyRing, withKeyRing } from './crypto/keys.ts';
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
 * Opens the database from the config (PostgreSQL when DATABASE_URL is set),
 * with the configuration's field-encryption key ring attached (see
 * src/crypto/keys.ts; none on PostgreSQL without PII_ENCRYPTION_KEYS).
 *
 * @example
 * const database = await openConfiguredDatabase(loadConfig());
 */
export async function openConfiguredDatabase(config: CoreConfig): Promise<Database> {
  const keys = await resolveKeyRing(config);
  const database = await openDatabase({
    url: config.DATABASE_URL,
    dataDir: config.DATA_DIR,
    poolSize: config.DATABASE_POOL_SIZE,
  });
  return keys ? withKeyRing(database, keys.ring) : database;
}

/**
 * HTTPS options when `TLS_CERT` and `TLS_KEY` are set. With `TLS_CLIENT_CA`
 * the server requests a client certificate but does not reject a
 * connection without one at the TLS level: credentials without a pinned
 * certificate keep working, and a pinned one is refused by the API with a
 * problem+json naming what is missing (src/auth/client-certificate.ts).
 */
function tlsOptions(config: CoreConfig) {
  if (!config.TLS_CERT || !config.TLS_KEY) {
    if (config.TLS_CERT || config.TLS_KEY || config.TLS_CLIENT_CA) {
      throw new ConfigError([
        'TLS_CERT and TLS_KEY: set both to serve HTTPS (TLS_CLIENT_CA needs them)',
      ]);
    }
    return {};
  }
  return {
    createServer: createHttpsServer,
    serverOptions: {
      cert: config.TLS_CERT,
      key: config.TLS_KEY,
      ...(config.TLS_CLIENT_CA
        ? { ca: config.TLS_CLIENT_CA, requestCert: true, rejectUnauthorized: false }
        : {}),
    },
  };
}

/** PostgreSQL without keys is refused before anything is opened. */
function requireKeysOnPostgres(config: CoreConfig): void {
  if (config.DATABASE_URL && config.PII_ENCRYPTION_KEYS === undefined) {
    throw new ConfigError([
      'PII_ENCRYPTION_KEYS: required on PostgreSQL (with PII_INDEX_KEY): personal data is stored encrypted; see docs/security.md',
    ]);
  }
}

/** PGlite on its development ring (no keys configured, data on disk) is worth a warning. */
function warnOnDevelopmentKeys(config: CoreConfig, logger: Logger): void {
  if (config.PII_ENCRYPTION_KEYS !== undefined || config.DATABASE_URL) return;
  if (config.DATA_DIR.includes('://')) return;
  logger.warn(
    { file: join(config.DATA_DIR, DEV_KEYS_FILE) },
    'personal data is encrypted with a development key kept beside the data; set PII_ENCRYPTION_KEYS and PII_INDEX_KEY for real patients',
  );
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
  const tls = tlsOptions(config);
  if (!options.database) requireKeysOnPostgres(config);
  const database = options.database ?? (await openConfiguredDatabase(config));
  if (!options.database) warnOnDevelopmentKeys(config, logger);
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
    const s = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST, ...tls }, () =>
      resolve(s as Server),
    ) as Server;
  });
  const { port } = server.address() as AddressInfo;
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? '127.0.0.1' : config.HOST;

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      clearInterval(purge);
      for (const feature of features) feature.drain?.();
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
  const scheme = config.TLS_CERT ? 'https' : 'http';
  return { app, database, context, url: `${scheme}://${host}:${port}`, port, close };
}
