/**
 * Configuration of the visas feature: how often an application with the
 * partner is polled for its decision, the most a failing call waits
 * between attempts, and how long a decision may take before an alert.
 */
import * as z from 'zod';
import { durationMs } from '../config/duration.ts';

/**
 * The visas section of the environment.
 *
 * @example
 * visasConfig.parse({ VISAS_POLL_INTERVAL: '30m' }).VISAS_POLL_INTERVAL; // 1800000
 */
export const visasConfig = z.object({
  /** How often an application with the partner is read for its decision. */
  VISAS_POLL_INTERVAL: durationMs('15m'),
  /** The longest wait between attempts after the partner failed (backoff doubles up to it). */
  VISAS_MAX_BACKOFF: durationMs('1h'),
  /** How long after its creation an application may wait for the partner's decision before an operator alert. */
  VISAS_DECISION_SLA: durationMs('21d'),
});

/**
 * The parsed visas section.
 *
 * @example
 * const config: VisasConfig = visasConfig.parse(process.env);
 */
export type VisasConfig = z.infer<typeof visasConfig>;
