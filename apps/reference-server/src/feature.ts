/**
 * What a feature of the server is: one folder that describes itself. A
 * feature declares the contract operations it implements, the routes it
 * mounts outside the contract, its migrations and the tables they create,
 * its configuration section, its internal event subscribers and its
 * background jobs. `src/features.ts` lists the features; the app, the
 * server, the scheduler and the migrator read everything from that list, so
 * adding a feature is its folder plus one line there.
 */
import type { Hono } from 'hono';
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type * as z from 'zod';
import type { TokenIssuerOptions } from './auth/access-tokens.ts';
import type { SigningKeys } from './auth/signing-keys.ts';
import type { CoreConfig } from './config/index.ts';
import type { Database } from './db/database.ts';
import type { DB } from './db/schema.ts';
import type { AppEnv } from './http/context.ts';
import type { RateLimits } from './http/rate-limit.ts';
import type { EventHint } from './kernel/event-hint.ts';
import type { HandlerMap } from './kernel/handlers.ts';
import type { Logger } from './observability/logger.ts';
import type { Metrics } from './observability/metrics.ts';
import type { Providers } from './providers/index.ts';
import type { SharedRedis } from './redis/client.ts';
import type { BusJob } from './scheduler/dispatcher.ts';
import type { FanOutTarget } from './scheduler/fanout.ts';
import type { InternalSubscriber } from './scheduler/subscriber.ts';
import type { BusWakeup } from './scheduler/wakeup.ts';

/**
 * The one clock type of the server: the current time as a `Date`.
 *
 * @example
 * const clock: Clock = () => new Date('2026-11-22T09:00:00Z');
 */
export type Clock = () => Date;

/**
 * A configuration section: a zod object over environment variables.
 *
 * @example
 * const section: ConfigSection = z.object({ OPS_USER: z.string().default('operator') });
 */
// biome-ignore lint/suspicious/noExplicitAny: sections differ in shape; each feature reads its own with readSection.
export type ConfigSection = z.ZodObject<any>;

/**
 * What every feature receives when the app is composed and when it starts.
 *
 * @example
 * const feature: Feature = { name: 'jobs', start: (ctx: AppContext) => ctx.logger.info('started') };
 */
export interface AppContext {
  database: Database;
  db: Kysely<DB>;
  /** The whole configuration: the core section plus every feature's section. */
  config: CoreConfig;
  logger: Logger;
  metrics: Metrics;
  now: Clock;
  signingKeys: SigningKeys;
  tokens: TokenIssuerOptions;
  /** The per-credential rate limits, shared by the API and every authenticated route. */
  rateLimiter: RateLimits;
  /** The shared Redis when `REDIS_URL` is set (closed with the server). */
  redis?: SharedRedis;
  /** Provider adapters built from configuration (absent ones are undefined). */
  providers: Providers;
  /** In-process wake-ups of the scheduler; the scheduler adds the database's notifications. */
  wakeup: BusWakeup;
  /** Wakes the scheduler (a hint; it also polls). A no-op until it runs. */
  wake: () => void;
  /** The events' wake-up hint of the API's idempotent writes, one per process (kernel/event-hint.ts). */
  eventHint: EventHint;
}

/**
 * A feature of the server (see the module header). Every member is optional
 * but the name; functions receive the resolved {@link AppContext}.
 *
 * @example
 * export const visitsFeature: Feature = {
 *   name: 'visits',
 *   tables: ['visits'],
 *   handlers: visitHandlers,
 * };
 */
export interface Feature {
  readonly name: string;
  /** Tables the feature's migrations create and only its code writes. */
  readonly tables?: readonly string[];
  /**
   * Those of `tables` whose rows are never updated or deleted (a trigger
   * refuses it). With two database roles the server's role gets SELECT and
   * INSERT on them only (src/db/server-role.ts).
   */
  readonly appendOnlyTables?: readonly string[];
  /** Migrations by name (`NNNN-feature-what`; ranges keep features apart). */
  readonly migrations?: Readonly<Record<string, Migration>>;
  /** The configuration section the feature reads (merged into the server's). */
  readonly config?: ConfigSection;
  /** Implementations of contract operations, by operation id. */
  readonly handlers?: HandlerMap | ((context: AppContext) => HandlerMap);
  /**
   * Middleware in front of routes of every feature (e.g. the gate of all
   * `/ops` pages): mounted before any feature's `routes`, so a route another
   * feature adds under the same path cannot slip past it.
   */
  readonly guards?: (app: Hono<AppEnv>, context: AppContext) => void;
  /** Routes outside the contract (mounted with request id, metrics and problem+json in place). */
  readonly routes?: (app: Hono<AppEnv>, context: AppContext) => void;
  /** Internal event subscribers, each with its own inbox. */
  readonly subscribers?: (context: AppContext) => readonly InternalSubscriber[];
  /** The feature's part of the scheduler's fan-out of new events (in its transaction). */
  readonly fanOut?: FanOutTarget;
  /** Background jobs the scheduler runs on every pass. */
  readonly jobs?: (context: AppContext) => readonly BusJob[];
  /** Work before the scheduler starts (after migrations). */
  readonly start?: (context: AppContext) => void | Promise<void>;
  /** Releases what `start` or `jobs` acquired; called in reverse order on shutdown. */
  readonly stop?: () => void | Promise<void>;
  /** Ends long-lived responses (event streams) when shutdown begins, before the server waits for its requests. */
  readonly drain?: () => void;
}

/**
 * The handlers of a feature list; later features win for the same operation id.
 *
 * @example
 * const handlers = featureHandlers(serverFeatures(), context);
 */
export function featureHandlers(features: readonly Feature[], context: AppContext): HandlerMap {
  const handlers: HandlerMap = {};
  for (const feature of features) {
    const own =
      typeof feature.handlers === 'function' ? feature.handlers(context) : feature.handlers;
    Object.assign(handlers, own);
  }
  return handlers;
}

/**
 * One feature's section of the configuration. Keys the loaded configuration
 * lacks (a caller that loaded only the core section) take the section's
 * defaults, so a feature never reads `undefined` where its schema promises a value.
 *
 * @example
 * const { OPS_USER } = readSection(context.config, operatorConfig);
 */
export function readSection<S extends ConfigSection>(config: object, section: S): z.infer<S> {
  const present: Record<string, unknown> = {};
  const missing: Record<string, true> = {};
  for (const key of Object.keys(section.shape)) {
    if (key in config) present[key] = (config as Record<string, unknown>)[key];
    else missing[key] = true;
  }
  if (Object.keys(missing).length === 0) return present as z.infer<S>;
  return { ...section.pick(missing).parse({}), ...present } as z.infer<S>;
}
