/**
 * Configuration of the claims feature: how often a claim with the payer is
 * polled for its adjudication, and the most a failing request waits
 * between attempts.
 */
import * as z from 'zod';
import { durationMs } from '../config/duration.ts';

/**
 * The claims section of the environment.
 *
 * @example
 * claimsConfig.parse({ CLAIMS_POLL_INTERVAL: '10m' }).CLAIMS_POLL_INTERVAL; // 600000
 */
export const claimsConfig = z.object({
  /** How often a submitted or approved claim's status is read from the payer. */
  CLAIMS_POLL_INTERVAL: durationMs('5m'),
  /** The longest wait between attempts after the payer failed (backoff doubles up to it). */
  CLAIMS_MAX_BACKOFF: durationMs('1h'),
});

/**
 * The parsed claims section.
 *
 * @example
 * const config: ClaimsConfig = claimsConfig.parse(process.env);
 */
export type ClaimsConfig = z.infer<typeof claimsConfig>;
