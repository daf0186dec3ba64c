/**
 * What a provider group is: the configuration section of a family of
 * adapters (messaging, payments, travel, …) and the function that builds
 * the configured ones. `providers/index.ts` lists the groups; adding a
 * provider family is a file here plus its line there.
 */
import type {
  AuditHook,
  IntegrationMetrics,
  ManualTaskSink,
  TokenCache,
} from '@clinicbridge/adapters';
import type { QuotaStore } from '@clinicbridge/adapters/messaging';
import type { Kysely } from 'kysely';
import type { Registry } from 'prom-client';
import type * as z from 'zod';
import type { DB } from '../db/schema.ts';

/**
 * What every adapter of the process shares: the Prometheus metrics, the
 * audit hook (one row per call, for the calling tenant), the manual-task
 * sink and the database the hooks write to.
 *
 * @example
 * createTwilioSmsChannel({ metrics: shared.metrics, audit: shared.audit, ...options });
 */
export interface ProviderShared {
  readonly metrics: IntegrationMetrics;
  readonly audit: AuditHook;
  readonly manualTasks: ManualTaskSink;
  readonly db: Kysely<DB>;
  /** Where this server keeps its data and how it is reached (for stores serving links). */
  readonly server: { readonly dataDir: string; readonly publicUrl: string };
  /** Where OAuth2 tokens are kept: shared (Redis) when configured, else each group's own memory. */
  readonly tokenCache?: TokenCache;
  /** The server's clock. */
  readonly now: () => Date;
  /** The server's Prometheus registry, for a group's own gauges. */
  readonly registry: Registry;
  /** Where senders' daily quotas are counted: Redis when configured, else PostgreSQL. */
  readonly quotaStore: QuotaStore;
}

/**
 * A family of adapters built from one configuration section. `build`
 * returns the adapters it could configure and names the ones it could not
 * (for the start-up log); it never throws for a missing provider.
 *
 * @example
 * export const travelProviders: ProviderGroup<typeof travelConfig, { travel?: Travel }> = {
 *   config: travelConfig,
 *   build: (config, shared) => ({ built: {}, absent: ['amadeus'] }),
 * };
 */
export interface ProviderGroup<S extends z.ZodObject, P extends object> {
  readonly config: S;
  build(config: z.infer<S>, shared: ProviderShared): Built<P>;
}

/**
 * A group's adapters and the names of its absent providers.
 *
 * @example
 * const { built, absent } = travelProviders.build(config, shared);
 */
export interface Built<P extends object> {
  readonly built: P;
  readonly absent: readonly string[];
}
