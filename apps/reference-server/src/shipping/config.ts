/**
 * Configuration of the shipping feature: how often a shipment in transit
 * is polled for its tracking status (webhooks usually come first).
 */
import * as z from 'zod';
import { durationMs } from '../config/duration.ts';

/**
 * The shipping section of the environment.
 *
 * @example
 * shippingConfig.parse({ SHIPPING_POLL_INTERVAL: '1h' }).SHIPPING_POLL_INTERVAL; // 3600000
 */
export const shippingConfig = z.object({
  /** How often a shipment not yet delivered is polled for its tracking status. */
  SHIPPING_POLL_INTERVAL: durationMs('2h'),
});

/**
 * The parsed shipping section.
 *
 * @example
 * const config: ShippingConfig = shippingConfig.parse(process.env);
 */
export type ShippingConfig = z.infer<typeof shippingConfig>;
