/**
 * Configuration of the clinic-software feature: how a push the clinic's
 * system did not take is retried (the first wait doubles up to an hour)
 * and after how many attempts it is handed to a person.
 */
import * as z from 'zod';
import { durationMs } from '../config/duration.ts';

/**
 * The clinic-software section of the environment.
 *
 * @example
 * clinicSoftwareConfig.parse({ CLINIC_PUSH_RETRY_AFTER: '1m' }).CLINIC_PUSH_RETRY_AFTER; // 60000
 */
export const clinicSoftwareConfig = z.object({
  /** Wait before the first retry of a failed push; doubles per attempt, at most 1 h. */
  CLINIC_PUSH_RETRY_AFTER: durationMs('30s'),
  /** Attempts before a push that keeps failing becomes a manual task on /ops. */
  CLINIC_PUSH_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(10),
});

/**
 * The parsed clinic-software section.
 *
 * @example
 * const config: ClinicSoftwareConfig = clinicSoftwareConfig.parse(process.env);
 */
export type ClinicSoftwareConfig = z.infer<typeof clinicSoftwareConfig>;
