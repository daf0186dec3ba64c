/**
 * The webhook-endpoints feature: the API resource partners use to subscribe
 * to events (create, update, rotate the secret, test, replay). Targets pass
 * the SSRF guard of the delivery configuration (`WEBHOOK_TARGET_ALLOWLIST`).
 */
import { deliveryConfig } from '../delivery/config.ts';
import { createTargetGuard, type ResolveHost } from '../delivery/ssrf.ts';
import { type Feature, readSection } from '../feature.ts';
import { webhookEndpointHandlers } from './handlers.ts';

/**
 * The webhook-endpoints feature (its table comes with the delivery migration).
 *
 * @example
 * const features: Feature[] = [webhookEndpointsFeature()];
 */
export function webhookEndpointsFeature(
  options: { allowlist?: readonly string[]; resolve?: ResolveHost } = {},
): Feature {
  return {
    name: 'webhook-endpoints',
    tables: ['webhook_endpoints'],
    handlers: (context) =>
      webhookEndpointHandlers({
        guard: createTargetGuard({
          allowlist: [
            ...(options.allowlist ??
              readSection(context.config, deliveryConfig).WEBHOOK_TARGET_ALLOWLIST),
          ],
          ...(options.resolve ? { resolve: options.resolve } : {}),
        }),
        wake: context.wake,
      }),
  };
}
