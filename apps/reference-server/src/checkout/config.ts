/**
 * The checkout feature's configuration: how long a checkout may stay
 * pending before the expiry job closes it.
 */
import * as z from 'zod';
import { durationMs } from '../config/duration.ts';

/**
 * The checkout section of the configuration.
 *
 * @example
 * checkoutConfig.parse({ CHECKOUT_EXPIRY: '30m' }).CHECKOUT_EXPIRY; // 1800000
 */
export const checkoutConfig = z.object({
  /** A checkout still pending this long after creation is closed as `cancelled` (`checkout_expired`). */
  CHECKOUT_EXPIRY: durationMs('24h'),
});
