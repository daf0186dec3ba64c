/**
 * Feature lists for tests: the event features (endpoints, delivery,
 * inbound and the internal subscribers) with one explicit configuration,
 * and the operation ids a feature list implements.
 */
import { analyticsFeature } from '../../src/analytics/feature.ts';
import { loadConfig } from '../../src/config/index.ts';
import { crmFeature } from '../../src/crm/feature.ts';
import type { DeliveryConfig } from '../../src/delivery/config.ts';
import { deliveryFeature } from '../../src/delivery/feature.ts';
import { type AppContext, type Feature, featureHandlers } from '../../src/feature.ts';
import type { InboundConfig } from '../../src/inbound/config.ts';
import { inboundFeature } from '../../src/inbound/feature.ts';
import { notificationsFeature } from '../../src/notifications/feature.ts';
import { reportingFeature } from '../../src/reporting/feature.ts';
import { webhookEndpointsFeature } from '../../src/webhook-endpoints/feature.ts';

/** Endpoints, delivery, inbound and the subscribers, configured by `config`. */
export function eventFeatures(config: DeliveryConfig & InboundConfig): Feature[] {
  return [
    webhookEndpointsFeature({ allowlist: config.WEBHOOK_TARGET_ALLOWLIST }),
    deliveryFeature({ config }),
    inboundFeature({ config }),
    notificationsFeature(),
    reportingFeature,
    analyticsFeature,
    crmFeature,
  ];
}

/** Operation ids the features implement (handlers built on a stand-in context). */
export function handledOperationIds(features: readonly Feature[]): Set<string> {
  const context = { config: loadConfig({}), wake: () => {} } as unknown as AppContext;
  return new Set(Object.keys(featureHandlers(features, context)));
}
