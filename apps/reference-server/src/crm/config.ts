/**
 * Configuration of the CRM feature: how a write HubSpot did not take is
 * retried (the first wait doubles up to an hour) and after how many
 * attempts it is handed to a person.
 */
import * as z from 'zod';
import { durationMs } from '../config/duration.ts';

/**
 * The CRM section of the environment.
 *
 * @example
 * crmConfig.parse({ CRM_SYNC_RETRY_AFTER: '1m' }).CRM_SYNC_RETRY_AFTER; // 60000
 */
export const crmConfig = z.object({
  /** Wait before the first retry of a failed CRM write; doubles per attempt, at most 1 h. */
  CRM_SYNC_RETRY_AFTER: durationMs('30s'),
  /** Attempts before a CRM write that keeps failing becomes a manual task on /ops. */
  CRM_SYNC_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(10),
});

/**
 * The parsed CRM section.
 *
 * @example
 * const config: CrmConfig = crmConfig.parse(process.env);
 */
export type CrmConfig = z.infer<typeof crmConfig>;
