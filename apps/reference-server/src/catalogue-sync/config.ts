/**
 * Configuration of the national catalogue sync. It runs only when both the
 * source (`USHAS_API_KEY`, see src/providers/catalogue.ts) and the tenant
 * whose catalogue receives the data (`USHAS_SYNC_TENANT`) are set.
 */
import * as z from 'zod';
import { durationMs } from '../config/duration.ts';
import { cronPattern } from '../scheduler/slots.ts';

/**
 * The catalogue sync's section of the environment.
 *
 * @example
 * catalogueSyncConfig.parse({ USHAS_SYNC_TENANT: 'ten_01J…', USHAS_SYNC_CRON: '0 *\/6 * * *' });
 */
export const catalogueSyncConfig = z.object({
  /** The tenant whose catalogue (practitioners, services, prices) the source's data is merged into. */
  USHAS_SYNC_TENANT: z
    .string()
    .regex(/^ten_[A-Za-z0-9]{1,64}$/, 'a tenant id')
    .optional(),
  /** When to sync: a cron pattern in UTC (5 fields, or 6 with seconds). */
  USHAS_SYNC_CRON: z
    .string()
    .default('0 */6 * * *')
    .superRefine((pattern, ctx) => {
      try {
        cronPattern(pattern);
      } catch (error) {
        ctx.addIssue({
          code: 'custom',
          message: `must be a cron pattern: ${error instanceof Error ? error.message : 'invalid'}`,
        });
      }
    }),
  /** Missed slots (downtime) run once each on the next start, at most this many (the latest). */
  USHAS_SYNC_MAX_CATCHUP: z.coerce.number().int().min(1).max(48).default(4),
  /** The language whose name becomes a record's display name (others are kept beside it). */
  USHAS_SYNC_LANGUAGE: z
    .string()
    .regex(/^[a-z]{2,3}(-[A-Z]{2})?$/, 'a language tag')
    .default('en'),
  /** Records per page read from the source (1–500). */
  USHAS_SYNC_PAGE_SIZE: z.coerce.number().int().min(1).max(500).default(200),
  /** Pages read per listing at most; a larger catalogue fails the run rather than merging part of it. */
  USHAS_SYNC_MAX_PAGES: z.coerce.number().int().min(1).max(10_000).default(500),
  /** How long a process's hold on the sync lasts without renewal (longer than one run). */
  USHAS_SYNC_LEASE: durationMs('15m'),
});

/**
 * The parsed catalogue sync section.
 *
 * @example
 * const config: CatalogueSyncConfig = catalogueSyncConfig.parse(process.env);
 */
export type CatalogueSyncConfig = z.infer<typeof catalogueSyncConfig>;
