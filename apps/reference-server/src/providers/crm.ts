/**
 * The CRM provider: HubSpot's CRM v3 objects API
 * (`@clinicbridge/adapters/hubspot`), built when a private-app token
 * (`HUBSPOT_ACCESS_TOKEN`, or `_FILE`) and the tenants it serves
 * (`HUBSPOT_TENANTS`) are set. A portal belongs to one organisation, so only
 * the tenants named there are mirrored into it; `HUBSPOT_URL` points it at a
 * sandbox or a local fake.
 *
 * The adapter's manual fallback is narrowed here for the CRM feature's
 * queue, as for the clinic software: a call that failed while the breaker
 * was still closed is a {@link CrmSyncDeferred} error, so the queue retries
 * it later with back-off; only an open breaker becomes a manual task on /ops.
 */
import { CaseStageSchema, type CrmSync, type ManualTaskSink } from '@clinicbridge/adapters';
import { createHubSpotCrm } from '@clinicbridge/adapters/hubspot';
import * as z from 'zod';
import { durationMs } from '../config/duration.ts';
import { jsonValue, optionalUrl, optionalValue } from './config-values.ts';
import type { ProviderGroup } from './group.ts';

const tenantList = z
  .string()
  .max(100_000)
  .optional()
  .transform((text) =>
    text === undefined
      ? undefined
      : text
          .split(',')
          .map((id) => id.trim())
          .filter((id) => id !== ''),
  );

/**
 * The CRM provider's section of the environment.
 *
 * @example
 * crmProvidersConfig.parse({ HUBSPOT_ACCESS_TOKEN: 'pat-…', HUBSPOT_TENANTS: 'ten_1' });
 */
export const crmProvidersConfig = z.object({
  /** HubSpot private-app token (contacts, leads and deals scopes); unset keeps the CRM sync off. */
  HUBSPOT_ACCESS_TOKEN: optionalValue,
  /** Base URL of the HubSpot API; default `https://api.hubapi.com`. */
  HUBSPOT_URL: optionalUrl,
  /** Comma-separated ids of the tenants mirrored into this portal; no tenant, no sync. */
  HUBSPOT_TENANTS: tenantList,
  /** HubSpot `dealstage` id per case stage (JSON); a stage not named is sent as its own name. */
  HUBSPOT_DEAL_STAGES: jsonValue(z.partialRecord(CaseStageSchema, z.string().min(1).max(100))),
  /** Consecutive failed attempts that open the HubSpot breaker. */
  HUBSPOT_BREAKER_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
  /** How long an open breaker waits before letting one trial call through. */
  HUBSPOT_BREAKER_HALF_OPEN: durationMs('30s'),
});

/**
 * A CRM write HubSpot could not take while its breaker was closed: the
 * caller queues it again instead of handing it to a person.
 *
 * @example
 * if (error instanceof CrmSyncDeferred) scheduleRetry(row, error.reason);
 */
export class CrmSyncDeferred extends Error {
  override readonly name = 'CrmSyncDeferred';
  /** Why the call failed (`unavailable`, `timeout`, `rate_limited`, …). */
  readonly reason: string;
  constructor(reason: string) {
    super(`the CRM did not take the write (${reason}); it is retried later`);
    this.reason = reason;
  }
}

/**
 * The configured CRM and the tenants it mirrors.
 *
 * @example
 * if (providers.crm?.tenants.has(tenantId)) await providers.crm.sync.upsertContact(contact);
 */
export interface ConfiguredCrm {
  readonly sync: CrmSync;
  readonly tenants: ReadonlySet<string>;
}

/**
 * The CRM adapter of a process.
 *
 * @example
 * const crm = providers.crm;
 */
export interface CrmProviders {
  readonly crm?: ConfiguredCrm;
}

/**
 * Builds the HubSpot CRM sync when its token and at least one tenant are set.
 *
 * @example
 * const { built } = crmProviders.build(crmProvidersConfig.parse(process.env), shared);
 */
export const crmProviders: ProviderGroup<typeof crmProvidersConfig, CrmProviders> = {
  config: crmProvidersConfig,
  build(config, shared) {
    const tenants = config.HUBSPOT_TENANTS ?? [];
    if (!config.HUBSPOT_ACCESS_TOKEN || tenants.length === 0)
      return { built: {}, absent: ['hubspot'] };
    const sink: ManualTaskSink = {
      async record(task) {
        if (task.reason !== 'circuit_open') throw new CrmSyncDeferred(task.reason);
        await shared.manualTasks.record(task);
      },
    };
    return {
      built: {
        crm: {
          tenants: new Set(tenants),
          sync: createHubSpotCrm({
            metrics: shared.metrics,
            audit: shared.audit,
            sink,
            accessToken: config.HUBSPOT_ACCESS_TOKEN,
            policies: {
              breaker: {
                consecutiveFailures: config.HUBSPOT_BREAKER_FAILURES,
                halfOpenAfterMs: config.HUBSPOT_BREAKER_HALF_OPEN,
              },
            },
            ...(config.HUBSPOT_DEAL_STAGES ? { dealStages: config.HUBSPOT_DEAL_STAGES } : {}),
            ...(config.HUBSPOT_URL ? { baseUrl: config.HUBSPOT_URL } : {}),
          }),
        },
      },
      absent: [],
    };
  },
};
