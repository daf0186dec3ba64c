/**
 * The event-bus feature of the server: the delivery operations of API v1,
 * `POST /webhooks/:provider`, and — in `start` — the dispatcher with its
 * internal subscribers and the inbound processor. Plugged into
 * `createApp({ features: [eventBusFeature(...)] })`; the server calls
 * `start` after migrations and `stop` on SIGTERM.
 */
import type { MessagingChannel } from '@clinicbridge/adapters';
import type { Feature } from '../app.ts';
import type { InboundConfig } from '../inbound/config.ts';
import { processInboundWebhooks } from '../inbound/processor.ts';
import { mountInboundRoutes } from '../inbound/routes.ts';
import { sendThroughChannel } from '../notifications/messaging.ts';
import { defaultSubscribers } from '../scheduler/default-subscribers.ts';
import type { InternalSubscriber } from '../scheduler/subscriber.ts';
import { createEventBus, type EventBus } from './bus.ts';
import type { DeliveryConfig } from './config.ts';
import { deliveryHandlers } from './handlers.ts';
import { registerDeliveryMetrics } from './metrics.ts';
import { retentionJob } from './retention.ts';
import { createTargetGuard, type TargetGuard } from './ssrf.ts';

/**
 * The configuration sections the feature reads.
 *
 * @example
 * const config: EventBusConfig = { ...deliveryConfig.parse(env), ...inboundConfig.parse(env) };
 */
export type EventBusConfig = DeliveryConfig & InboundConfig;

/**
 * Options of {@link eventBusFeature}.
 *
 * @example
 * eventBusFeature({ config, analyticsKey: process.env.ANALYTICS_PSEUDONYM_KEY });
 */
export interface EventBusFeatureOptions {
  /** The configuration, or a function parsing it when the server starts (so a bad value is reported there). */
  readonly config: EventBusConfig | (() => EventBusConfig);
  /** Internal subscribers; default notifications, reporting, analytics export and CRM sync. */
  readonly subscribers?: readonly InternalSubscriber[];
  /** Key of the analytics pseudonyms (default `ANALYTICS_PSEUDONYM_KEY`, else random per process). */
  readonly analyticsKey?: string;
  /** Channel the notifications subscriber sends through; without one, intents are only recorded. */
  readonly messaging?: MessagingChannel;
  /** Wall clock in ms for the dispatcher (injectable for tests). */
  readonly now?: () => number;
}

/**
 * The feature, with a handle on the running bus once started.
 *
 * @example
 * const bus = eventBusFeature({ config: () => loadConfig(process.env, [deliveryConfig, inboundConfig]) });
 * const app = createApp({ database, config: loadConfig(), features: [bus] });
 * await bus.start?.(resolveAppContext({ database, config }));
 */
export function eventBusFeature(
  options: EventBusFeatureOptions,
): Feature & { readonly bus: () => EventBus | undefined } {
  let resolved: EventBusConfig | undefined;
  const config = (): EventBusConfig => {
    resolved ??= typeof options.config === 'function' ? options.config() : options.config;
    return resolved;
  };
  let realGuard: TargetGuard | undefined;
  const target = () => {
    realGuard ??= createTargetGuard({ allowlist: config().WEBHOOK_TARGET_ALLOWLIST });
    return realGuard;
  };
  const guard: TargetGuard = {
    check: (url, checkOptions) => target().check(url, checkOptions),
    connectLookup: (hostname, lookupOptions, callback) =>
      target().connectLookup(hostname, lookupOptions, callback),
  };
  let bus: EventBus | undefined;
  const wake = () => bus?.wakeup.wake();
  return {
    name: 'event-bus',
    handlers: deliveryHandlers({ guard, wake }),
    routes: (app, context) =>
      mountInboundRoutes(app, { db: context.db, config: config(), now: context.now, wake }),
    async start(context) {
      if (bus || !config().WEBHOOK_DISPATCHER) return;
      bus = await createEventBus({
        database: context.database,
        config: config(),
        subscribers:
          options.subscribers ??
          defaultSubscribers({
            analyticsKey: options.analyticsKey ?? config().ANALYTICS_PSEUDONYM_KEY,
            ...(options.messaging
              ? { sendNotification: sendThroughChannel(options.messaging) }
              : {}),
          }),
        jobs: [
          (now) => processInboundWebhooks(context.db, now),
          retentionJob(context.db, config().WEBHOOK_RETENTION),
        ],
        ...(options.now ? { now: options.now } : {}),
        onRecorded: registerDeliveryMetrics(context.metrics.registry, context.db),
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
