/**
 * Configuration of the scheduler: whether this process runs background work
 * (the dispatcher, every feature's jobs) and how often it polls when no
 * wake-up arrives. The variable names predate the scheduler's own folder
 * and keep their `WEBHOOK_` prefix so existing deployments read the same.
 */
import * as z from 'zod';
import { durationMs } from '../config/duration.ts';

/**
 * The scheduler's section of the environment.
 *
 * @example
 * schedulerConfig.parse({ WEBHOOK_DISPATCHER: 'false' }).WEBHOOK_DISPATCHER; // false
 */
export const schedulerConfig = z.object({
  /** Polling interval when no wake-up arrives (PGlite, or a lost notification). */
  WEBHOOK_POLL_INTERVAL: durationMs('1s'),
  /** Run the dispatcher in this process (turn off for API-only processes). */
  WEBHOOK_DISPATCHER: z
    .enum(['true', 'false', '1', '0'])
    .default('true')
    .transform((v) => v === 'true' || v === '1'),
});

/**
 * The parsed scheduler section.
 *
 * @example
 * const config: SchedulerConfig = schedulerConfig.parse(process.env);
 */
export type SchedulerConfig = z.infer<typeof schedulerConfig>;
