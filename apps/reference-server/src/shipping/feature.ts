/**
 * The shipping feature: dispatch of medication and documents for a case
 * (`shipments.*`) through the shipping provider (EasyPost), tracking by
 * its signed webhook (`/webhooks/shipping/easypost`) and by a poll job,
 * `shipment.created` / `shipment.status_changed` events, and a manual task
 * on /ops when the provider is absent, down or behind an open breaker.
 */
import { type Feature, readSection } from '../feature.ts';
import { shippingConfig } from './config.ts';
import { shipmentHandlers } from './handlers.ts';
import { shippingMigrations } from './migrations.ts';
import { mountShippingRoutes } from './routes.ts';
import { pollShipments, type ShippingDeps } from './service.ts';

/**
 * The shipping feature.
 *
 * @example
 * const features: Feature[] = [...resourceFeatures, manualTasksFeature, shippingFeature];
 */
export const shippingFeature: Feature = {
  name: 'shipping',
  tables: ['shipments'],
  migrations: shippingMigrations,
  config: shippingConfig,
  handlers: (context) => {
    let deps: ShippingDeps | undefined;
    return shipmentHandlers(() => {
      deps ??= {
        shipping: context.providers.shipping,
        manualTasks: context.providers.manualTasks,
        config: readSection(context.config, shippingConfig),
      };
      return deps;
    });
  },
  routes: (app, context) =>
    mountShippingRoutes(app, {
      db: context.db,
      shipping: () => context.providers.shipping,
      now: context.now,
      pollIntervalMs: readSection(context.config, shippingConfig).SHIPPING_POLL_INTERVAL,
    }),
  jobs: (context) => [
    (now) =>
      pollShipments(
        context.db,
        {
          shipping: context.providers.shipping,
          manualTasks: context.providers.manualTasks,
          config: readSection(context.config, shippingConfig),
        },
        now,
      ),
  ],
};
