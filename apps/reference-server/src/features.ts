/**
 * The features `clinicbridge-server start` mounts besides the core API (see
 * `Feature` in app.ts), and the configuration sections they add. Today: the
 * event bus (outbound webhook delivery, inbound provider webhooks, internal
 * subscribers) and the operator pages at `/ops`. Add a feature by adding its config section and creating it
 * in `createServerFeatures`.
 */
import type { Feature } from './app.ts';
import type { CoreConfig } from './config/index.ts';
import { type OperatorConfig, operatorConfig } from './console/config.ts';
import { operatorFeature } from './console/feature.ts';
import { type DeliveryConfig, deliveryConfig } from './delivery/config.ts';
import { eventBusFeature } from './delivery/feature.ts';
import { type InboundConfig, inboundConfig } from './inbound/config.ts';

/**
 * Configuration sections of the server's features, merged with the core
 * section by `loadConfig(process.env, featureConfigSections)`.
 *
 * @example
 * const config = loadConfig(process.env, featureConfigSections);
 */
export const featureConfigSections = [deliveryConfig, inboundConfig, operatorConfig] as const;

/**
 * The configuration of the server with every feature.
 *
 * @example
 * const config: ServerConfig = loadConfig(process.env, featureConfigSections);
 */
export type ServerConfig = CoreConfig & DeliveryConfig & InboundConfig & OperatorConfig;

/**
 * Creates the features for a configuration.
 *
 * @example
 * const server = await startServer({ config, features: createServerFeatures(config) });
 */
export function createServerFeatures(config: ServerConfig): Feature[] {
  const bus = eventBusFeature({ config });
  return [bus, operatorFeature({ config, wake: () => bus.bus()?.wakeup.wake() })];
}
