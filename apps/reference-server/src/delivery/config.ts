/**
 * `WEBHOOK_*` configuration of the event bus and outbound delivery: a zod
 * section merged into the server's configuration by `loadConfig`. Every
 * variable has a documented default (docs/webhooks-delivery.md).
 */
import * as z from 'zod';
import { durationMs } from '../config/duration.ts';
import { schedulerConfig } from '../scheduler/config.ts';
import { isAllowlistEntryError, parseAllowlist } from './allowlist.ts';
import {
  DEFAULT_RETRY_SCHEDULE,
  formatRetrySchedule,
  parseRetrySchedule,
} from './retry-schedule.ts';

const count = (fallback: number, max: number) =>
  z.coerce.number().int().min(1).max(max).default(fallback);

/**
 * The `WEBHOOK_*` variables.
 *
 * @example
 * const config = loadConfig(process.env, [deliveryConfig]);
 * config.WEBHOOK_RETRY_SCHEDULE; // [5000, 300000, …]
 */
export const deliveryConfig = z.object({
  /**
   * Hosts (names, IPs or CIDRs) on named ports that may be private and plain
   * http, e.g. `127.0.0.1:8080,localhost:9000-9100`; a bare host is refused.
   */
  WEBHOOK_TARGET_ALLOWLIST: z
    .string()
    .default('')
    .transform((text, ctx) => {
      try {
        parseAllowlist(text);
      } catch (error) {
        if (!isAllowlistEntryError(error)) throw error;
        ctx.addIssue({ code: 'custom', message: error.message });
        return z.NEVER;
      }
      return text
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
    }),
  /** Delays before each retry; the first attempt is immediate. */
  WEBHOOK_RETRY_SCHEDULE: z
    .string()
    .default(formatRetrySchedule(DEFAULT_RETRY_SCHEDULE))
    .transform((text, ctx) => {
      try {
        return parseRetrySchedule(text);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
  /** Per-attempt timeout in milliseconds. */
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(15_000),
  /** Attempts in flight across all endpoints, per server process. */
  WEBHOOK_CONCURRENCY: count(50, 1_000),
  /** Attempts in flight to one endpoint, per server process. */
  WEBHOOK_ENDPOINT_CONCURRENCY: count(5, 100),
  /** An endpoint whose every attempt has failed for this long is disabled. */
  WEBHOOK_DISABLE_AFTER: durationMs('5d'),
  /** How long a claimed delivery stays with one process before another may take it over. */
  WEBHOOK_LEASE: durationMs('60s'),
  /** Succeeded deliveries, acknowledged inbox rows and processed inbound webhooks are kept this long. */
  WEBHOOK_RETENTION: durationMs('30d'),
  ...schedulerConfig.shape,
});

/**
 * The parsed `WEBHOOK_*` configuration.
 *
 * @example
 * const config: DeliveryConfig = deliveryConfig.parse(process.env);
 */
export type DeliveryConfig = z.infer<typeof deliveryConfig>;
