/**
 * The HTTP application: `createApp(deps)` builds the Hono app with the
 * request pipeline, OAuth, health and metrics, OpenAPI, and the features
 * (see src/feature.ts): their routes outside the contract are mounted first,
 * then every contract operation, implemented by the features' handlers or
 * answering 501 `not_implemented`. Later features win for the same
 * operation id. Background work is the server's (src/server.ts).
 */
import { OAUTH_TOKEN_PATH } from '@clinicbridge/sdk/contract';
import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { ApiKeyCache } from './auth/authenticate.ts';
import { mountOAuthRoutes } from './auth/routes.ts';
import { SigningKeys } from './auth/signing-keys.ts';
import { type CoreConfig, publicUrl } from './config/index.ts';
import type { Database } from './db/database.ts';
import { preparedRunnerOf } from './db/prepared.ts';
import {
  type AppContext,
  type Clock,
  type Feature,
  featureHandlers,
  readSection,
} from './feature.ts';
import { migrationsOf, resourceFeatures } from './features.ts';
import type { AppEnv } from './http/context.ts';
import { corsFor } from './http/cors/index.ts';
import { guardDepsOf } from './http/guard.ts';
import { noStore } from './http/no-store.ts';
import { notFoundOrNotAllowed } from './http/not-found.ts';
import { registerOperations } from './http/operations.ts';
import type { RateLimits } from './http/rate-limit.ts';
import { requestId } from './http/request-id.ts';
import { createEventHint } from './kernel/event-hint.ts';
import { problemResponse } from './kernel/problem.ts';
import { createLogger, type Logger } from './observability/logger.ts';
import { createMetrics, httpMetrics, type Metrics } from './observability/metrics.ts';
import { requestLog } from './observability/request-log.ts';
import { mountOpsRoutes } from './observability/routes.ts';
import { mountOpenApiRoutes } from './openapi/routes.ts';
import { createProviders, type Providers, providersConfig } from './providers/index.ts';
import { DatabaseQuotaStore, RedisQuotaStore } from './providers/sender-quota.ts';
import { connectSharedRedis } from './redis/client.ts';
import { redisOutageAlerts, serverRateLimits } from './redis/shared-limits.ts';
import { RedisTokenCache } from './redis/token-cache.ts';
import { type BusWakeup, createLocalWakeup } from './scheduler/wakeup.ts';

/**
 * What `createApp` needs; everything but the database and config has a default.
 *
 * @example
 * createApp({ database, config: loadConfig(), now: () => new Date('2026-11-22T09:00:00Z') });
 */
export interface AppDeps {
  database: Database;
  config: CoreConfig;
  logger?: Logger;
  metrics?: Metrics;
  /** The clock; injectable so expiry is tested without sleeping. */
  now?: Clock;
  /** The features; default the API resources only (`resourceFeatures`). */
  features?: readonly Feature[];
  signingKeys?: SigningKeys;
  rateLimiter?: RateLimits;
  /** Provider adapters; default built from the configuration's provider section. */
  providers?: Providers;
  /** In-process wake-ups shared with the scheduler; default a new one. */
  wakeup?: BusWakeup;
}

/**
 * Resolves defaults for {@link AppDeps}.
 *
 * @example
 * const context = resolveAppContext({ database, config });
 */
export function resolveAppContext(deps: AppDeps): AppContext {
  const now = deps.now ?? (() => new Date());
  const issuer = publicUrl(deps.config);
  const metrics = deps.metrics ?? createMetrics();
  const wakeup = deps.wakeup ?? createLocalWakeup();
  const logger = deps.logger ?? createLogger(deps.config.LOG_LEVEL);
  const redis = deps.config.REDIS_URL
    ? connectSharedRedis(deps.config.REDIS_URL, deps.config.REDIS_KEY_PREFIX)
    : undefined;
  return {
    database: deps.database,
    db: deps.database.db,
    config: deps.config,
    logger,
    metrics,
    now,
    signingKeys:
      deps.signingKeys ??
      new SigningKeys(deps.database.db, {
        tokenTtlSeconds: deps.config.ACCESS_TOKEN_TTL_SECONDS,
        now,
      }),
    tokens: {
      issuer,
      audience: `${issuer}/api`,
      ttlSeconds: deps.config.ACCESS_TOKEN_TTL_SECONDS,
      environment: deps.config.SERVER_ENVIRONMENT,
    },
    rateLimiter:
      deps.rateLimiter ??
      serverRateLimits({
        limits: {
          standard: deps.config.RATE_LIMIT_STANDARD_PER_MINUTE,
          high: deps.config.RATE_LIMIT_HIGH_PER_MINUTE,
        },
        redis,
        db: deps.database.db,
        logger,
      }),
    ...(redis ? { redis } : {}),
    providers:
      deps.providers ??
      createProviders(readSection(deps.config, providersConfig), {
        db: deps.database.db,
        registry: metrics.registry,
        server: { dataDir: deps.config.DATA_DIR, publicUrl: issuer },
        now,
        ...(redis
          ? {
              tokenCache: new RedisTokenCache(redis, {
                onOutage: redisOutageAlerts(deps.database.db, logger).onOutage,
              }),
              quotaStore: new RedisQuotaStore(redis, new DatabaseQuotaStore(deps.database.db), {
                onOutage: redisOutageAlerts(deps.database.db, logger).onOutage,
              }),
            }
          : {}),
      }),
    wakeup,
    wake: wakeup.wake,
    eventHint: createEventHint(deps.database.db),
  };
}

/**
 * Builds the Hono app.
 *
 * @example
 * const app = createApp({ database: await openDatabase({ dataDir: 'memory://' }), config: loadConfig({}) });
 * const res = await app.request('/healthz');
 */
export function createApp(deps: AppDeps, context = resolveAppContext(deps)): Hono<AppEnv> {
  const features = deps.features ?? resourceFeatures;
  const { db, config, logger, metrics, now } = context;
  const app = new Hono<AppEnv>();

  app.use(requestId());
  // nosniff, frame denial, referrer policy and friends on every response.
  app.use(secureHeaders());
  // API answers may hold patient data: never keep them in shared caches.
  app.use('/api/*', noStore());
  app.use(httpMetrics(metrics));
  app.use(requestLog(logger));
  // Browser clients on the origins in CORS_ORIGINS; the console and /docs stay same-origin.
  const allowOrigins = corsFor(config.CORS_ORIGINS);
  for (const path of ['/api/v1/*', OAUTH_TOKEN_PATH, '/openapi.json']) app.use(path, allowOrigins);
  app.onError((error, c) =>
    problemResponse(c, error, (err, id) => logger.error({ err, requestId: id }, 'unhandled error')),
  );
  app.notFound((c) => problemResponse(c, notFoundOrNotAllowed(c.req.method, c.req.path)));

  mountOpsRoutes(app, { db, metrics, migrations: migrationsOf(features) });
  mountOAuthRoutes(app, {
    db,
    keys: context.signingKeys,
    tokens: context.tokens,
    now,
    trustProxy: config.TRUST_PROXY,
  });
  mountOpenApiRoutes(app, { serverUrl: config.PUBLIC_URL });
  for (const feature of features) feature.guards?.(app, context);
  for (const feature of features) feature.routes?.(app, context);

  const handlers = featureHandlers(features, context);
  const { authenticator, rateLimiter } = guardDepsOf(context);
  registerOperations(
    app,
    {
      db,
      // Idempotent writes confirm a cached key in their own transaction (http/operations.ts).
      authenticator: { ...authenticator, apiKeys: new ApiKeyCache() },
      rateLimiter,
      bodyLimit: config.BODY_LIMIT_BYTES,
      now,
      prepared: preparedRunnerOf(context.database),
      eventHint: context.eventHint,
    },
    handlers,
  );
  return app;
}
