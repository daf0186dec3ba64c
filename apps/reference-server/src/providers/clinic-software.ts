/**
 * The clinic software provider: a Doktor365-shaped clinic API
 * (`@clinicbridge/adapters/doktor365`), built when `DOKTOR365_CLIENTS` names
 * at least one tenant with its clinic's client credentials. Each tenant gets
 * its own OAuth2 token, cached under `d365:token:{tenant}` in the shared
 * Redis token cache when `REDIS_URL` is set, else in this process, and its
 * own provider client, so one clinic's outage opens only that clinic's
 * breaker. `DOKTOR365_API_URL` points it at a sandbox or a local fake.
 *
 * The adapter's manual fallback is narrowed here for the clinic-software
 * feature's queue: a call that failed while the breaker was still closed
 * is not a manual task but a {@link ClinicPushDeferred} error, so the queue
 * retries it later; only an open breaker becomes a manual task on /ops.
 */
import type { ClinicSoftwareProxy, ManualTaskSink } from '@clinicbridge/adapters';
import { createDoktor365Proxy } from '@clinicbridge/adapters/doktor365';
import * as z from 'zod';
import { durationMs } from '../config/duration.ts';
import { jsonValue, optionalUrl } from './config-values.ts';
import type { ProviderGroup } from './group.ts';

const Credentials = z.strictObject({
  clientId: z.string().min(1).max(200),
  clientSecret: z.string().min(1).max(500),
});

/**
 * The clinic software provider's section of the environment.
 *
 * @example
 * clinicSoftwareProvidersConfig.parse({ DOKTOR365_CLIENTS: '{"ten_1":{"clientId":"c","clientSecret":"s"}}' });
 */
export const clinicSoftwareProvidersConfig = z.object({
  /** Per tenant id, the clinic's Doktor365 client credentials (JSON); unset keeps the feature off. */
  DOKTOR365_CLIENTS: jsonValue(z.record(z.string().min(1).max(100), Credentials)),
  /** Base URL of the Doktor365 API; default `https://api.doktor365.com.tr`. */
  DOKTOR365_API_URL: optionalUrl,
  /** Consecutive failed attempts that open a clinic's breaker. */
  DOKTOR365_BREAKER_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
  /** How long an open breaker waits before letting one trial call through. */
  DOKTOR365_BREAKER_HALF_OPEN: durationMs('30s'),
});

/**
 * A push the clinic's system could not take while its breaker was closed:
 * the caller queues it again instead of handing it to a person.
 *
 * @example
 * if (error instanceof ClinicPushDeferred) scheduleRetry(row, error.reason);
 */
export class ClinicPushDeferred extends Error {
  override readonly name = 'ClinicPushDeferred';
  /** Why the call failed (`unavailable`, `timeout`, `rate_limited`, …). */
  readonly reason: string;
  constructor(reason: string) {
    super(`the clinic's system did not take the push (${reason}); it is retried later`);
    this.reason = reason;
  }
}

/**
 * The configured clinic software proxy and the tenants it serves.
 *
 * @example
 * if (providers.clinicSoftware?.tenants.has(tenantId)) await providers.clinicSoftware.proxy.sendDeal(deal);
 */
export interface ConfiguredClinicSoftware {
  readonly proxy: ClinicSoftwareProxy;
  readonly tenants: ReadonlySet<string>;
}

/**
 * The clinic software adapter of a process.
 *
 * @example
 * const d365 = providers.clinicSoftware;
 */
export interface ClinicSoftwareProviders {
  readonly clinicSoftware?: ConfiguredClinicSoftware;
}

/**
 * Builds the Doktor365 proxy when at least one tenant has credentials.
 *
 * @example
 * const { built } = clinicSoftwareProviders.build(clinicSoftwareProvidersConfig.parse(process.env), shared);
 */
export const clinicSoftwareProviders: ProviderGroup<
  typeof clinicSoftwareProvidersConfig,
  ClinicSoftwareProviders
> = {
  config: clinicSoftwareProvidersConfig,
  build(config, shared) {
    const clients = config.DOKTOR365_CLIENTS ?? {};
    const tenants = new Set(Object.keys(clients));
    if (tenants.size === 0) return { built: {}, absent: ['doktor365'] };
    const sink: ManualTaskSink = {
      async record(task) {
        if (task.reason !== 'circuit_open') throw new ClinicPushDeferred(task.reason);
        await shared.manualTasks.record(task);
      },
    };
    return {
      built: {
        clinicSoftware: {
          tenants,
          proxy: createDoktor365Proxy({
            metrics: shared.metrics,
            audit: shared.audit,
            sink,
            credentialsFor: (tenant) =>
              Object.hasOwn(clients, tenant) ? clients[tenant] : undefined,
            policies: {
              breaker: {
                consecutiveFailures: config.DOKTOR365_BREAKER_FAILURES,
                halfOpenAfterMs: config.DOKTOR365_BREAKER_HALF_OPEN,
              },
            },
            ...(shared.tokenCache ? { tokenCache: shared.tokenCache } : {}),
            ...(config.DOKTOR365_API_URL ? { baseUrl: config.DOKTOR365_API_URL } : {}),
          }),
        },
      },
      absent: [],
    };
  },
};
