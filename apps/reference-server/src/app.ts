/**
 * The HTTP application: `createApp(deps)` builds the Hono app with the
 * request pipeline, OAuth, ops endpoints, OpenAPI and every API v1
 * operation of the contract.
 *
 * Other features plug in through `deps.features`, each a {@link Feature}:
 *   - `handlers`: implementations of contract operations by operation id
 *     (`defineHandlers(operations.webhookEndpoints, {...})`); they replace
 *     the default 501 and run inside the standard pipeline (auth, scope,
 *     rate limit, validation, idempotency, one transaction);
 *   - `routes(app, deps)`: routes outside the contract (e.g. `/webhooks/:provider`),
 *     mounted before the API with request id, metrics and problem+json
 *     errors already in place;
 *   - `start(deps)` / `stop()`: background work (dispatchers), run by the server.
 * Later features win over earlier ones for the same operation id.
 */
import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import type { Kysely } from 'kysely';
import type { TokenIssuerOptions } from './auth/access-tokens.ts';
import type { Authenticator } from './auth/authenticate.ts';
import { mountOAuthRoutes } from './auth/routes.ts';
import { SigningKeys } from './auth/signing-keys.ts';
import { type CoreConfig, publicUrl } from './config/index.ts';
import type { Database } from './db/database.ts';
import type { DB } from './db/schema.ts';
import type { AppEnv } from './http/context.ts';
import { notFoundOrNotAllowed } from './http/not-found.ts';
import { registerOperations } from './http/operations.ts';
import { RateLimiter } from './http/rate-limit.ts';
import { requestId } from './http/request-id.ts';
import type { HandlerMap } from './kernel/handlers.ts';
import { problemResponse } from './kernel/problem.ts';
import { createLogger, type Logger } from './observability/logger.ts';
import { createMetrics, httpMetrics, type Metrics } from './observability/metrics.ts';
import { mountOpsRoutes } from './observability/routes.ts';
import { mountOpenApiRoutes } from './openapi/routes.ts';
import { coreHandlers } from './resources.ts';

/**
 * A pluggable part of the server (see the module header).
 *
 * @example
 * const audit: Feature = { name: 'audit-export', routes: (app) => app.get('/exports/audit', (c) => c.text('…')) };
 */
export interface Feature {
  name: string;
  handlers?: HandlerMap;
  routes?: (app: Hono<AppEnv>, deps: AppContext) => void;
  start?: (deps: AppContext) => void | Promise<void>;
  stop?: () => void | Promise<void>;
}

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
  now?: () => Date;
  features?: Feature[];
  signingKeys?: SigningKeys;
  rateLimiter?: RateLimiter;
}

/**
 * The resolved dependencies features receive.
 *
 * @example
 * const feature: Feature = { name: 'jobs', start: (ctx: AppContext) => ctx.logger.info('started') };
 */
export interface AppContext {
  database: Database;
  db: Kysely<DB>;
  config: CoreConfig;
  logger: Logger;
  metrics: Metrics;
  now: () => Date;
  signingKeys: SigningKeys;
  tokens: TokenIssuerOptions;
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
  return {
    database: deps.database,
    db: deps.database.db,
    config: deps.config,
    logger: deps.logger ?? createLogger(deps.config.LOG_LEVEL),
    metrics: deps.metrics ?? createMetrics(),
    now,
    signingKeys:
      deps.signingKeys ??
      new SigningKeys(deps.database.db, {
        tokenTtlSeconds: deps.config.ACCESS_TOKEN_TTL_SECONDS,
        now,
      }),
    tokens: { issuer, audience: `${issuer}/api`, ttlSeconds: deps.config.ACCESS_TOKEN_TTL_SECONDS },
  };
}

/**
 * Builds the Hono app.
 *
 * @example
 * const app = createApp({ database: await openDatabase({ dataDir: 'memory://' }), config: loadConfig({}) });
 * const res = await app.request('/healthz');
 */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const context = resolveAppContext(deps);
  const { db, config, logger, metrics, now } = context;
  const app = new Hono<AppEnv>();

  app.use(requestId());
  // nosniff, frame denial, referrer policy and friends on every response.
  app.use(secureHeaders());
  app.use('/api/*', async (c, next) => {
    await next();
    // API answers may hold patient data: never keep them in shared caches.
    c.header('Cache-Control', 'no-store');
  });
  app.use(httpMetrics(metrics));
  app.use(async (c, next) => {
    const started = performance.now();
    await next();
    logger.info(
      {
        requestId: c.get('requestId'),
        method: c.req.method,
        route: c.get('routeTemplate') ?? 'unmatched',
        status: c.res.status,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
        tenantId: c.get('auth')?.tenantId,
      },
      'request',
    );
  });
  app.onError((error, c) =>
    problemResponse(c, error, (err, id) => logger.error({ err, requestId: id }, 'unhandled error')),
  );
  app.notFound((c) => problemResponse(c, notFoundOrNotAllowed(c.req.method, c.req.path)));

  mountOpsRoutes(app, { db, metrics });
  mountOAuthRoutes(app, { db, keys: context.signingKeys, tokens: context.tokens, now });
  mountOpenApiRoutes(app, { serverUrl: publicUrl(config) });
  for (const feature of deps.features ?? []) feature.routes?.(app, context);

  const handlers: HandlerMap = { ...coreHandlers };
  for (const feature of deps.features ?? []) Object.assign(handlers, feature.handlers);
  const authenticator: Authenticator = {
    db,
    keys: context.signingKeys,
    tokens: context.tokens,
    now,
  };
  registerOperations(
    app,
    {
      db,
      authenticator,
      rateLimiter:
        deps.rateLimiter ??
        new RateLimiter({
          standard: config.RATE_LIMIT_STANDARD_PER_MINUTE,
          high: config.RATE_LIMIT_HIGH_PER_MINUTE,
        }),
      bodyLimit: config.BODY_LIMIT_BYTES,
      now,
    },
    handlers,
  );
  return app;
}
