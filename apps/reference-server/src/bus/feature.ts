/**
 * The event-bus feature of the server: the delivery operations of API v1,
 * `POST /webhooks/:provider`, and — in `start` — the dispatcher with its
 * internal subscribers and the inbound processor. Plugged into
 * `createApp({ features: [eventBusFeature(...)] })`; the server calls
 * `start` after migrations and `stop` on SIGTERM.
 */
import type { Feature } from '../app.ts';
import type { DeliveryConfig } from '../delivery/config.ts';
import { deliveryHandlers } from '../delivery/routes.ts';
import { createTargetGuard } from '../delivery/ssrf.ts';
import type { InboundConfig } from '../inbound/config.ts';
import { processInboundWebhooks } from '../inbound/processor.ts';
import { mountInboundRoutes } from '../inbound/routes.ts';
import { createEventBus, type EventBus } from './create-bus.ts';
import type { InternalSubscriber } from './subscriber.ts';
import { defaultSubscribers } from './subscribers/index.ts';

/** Options of {@link eventBusFeature}. */
export interface EventBusFeatureOptions {
  readonly config: DeliveryConfig & InboundConfig;
  /** Internal subscribers; default notifications, reporting, analytics export and CRM sync. */
  readonly subscribers?: readonly InternalSubscriber[];
  /** Secret that keys the analytics pseudonyms (default: derived per process, see subscribers). */
  readonly analyticsKey?: string;
  /** Wall clock in ms for the dispatcher (injectable for tests). */
  readonly now?: () => number;
}

/**
 * The feature, with a handle on the running bus once started.
 *
 * @example
 * const config = loadConfig(process.env, [deliveryConfig, inboundConfig]);
 * const bus = eventBusFeature({ config });
 * const app = createApp({ database, config, features: [bus] });
 * await bus.start?.(resolveAppContext({ database, config }));
 */
export function eventBusFeature(
  options: EventBusFeatureOptions,
): Feature & { readonly bus: () => EventBus | undefined } {
  const guard = createTargetGuard({ allowlist: options.config.WEBHOOK_TARGET_ALLOWLIST });
  let bus: EventBus | undefined;
  const wake = () => bus?.wakeup.wake();
  return {
    name: 'event-bus',
    handlers: deliveryHandlers({ guard, wake }),
    routes: (app, context) =>
      mountInboundRoutes(app, { db: context.db, config: options.config, now: context.now, wake }),
    async start(context) {
      if (bus || !options.config.WEBHOOK_DISPATCHER) return;
      bus = await createEventBus({
        database: context.database,
        config: options.config,
        subscribers:
          options.subscribers ?? defaultSubscribers({ analyticsKey: options.analyticsKey }),
        jobs: [(now) => processInboundWebhooks(context.db, now)],
        ...(options.now ? { now: options.now } : {}),
        onError: (error) => context.logger.error({ err: error }, 'event bus error'),
      });
      bus.dispatcher.start();
    },
    async stop() {
      await bus?.close();
      bus = undefined;
    },
    bus: () => bus,
  };
}
