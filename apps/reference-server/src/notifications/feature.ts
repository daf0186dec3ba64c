/**
 * The notifications feature: events a patient should hear about become
 * notification intents, sent through the messaging composer (WhatsApp →
 * SMS → email, then a manual task) when a messaging provider is configured.
 * Without one, intents are recorded only, and the start-up log says so.
 * With `NOTIFICATIONS_QUEUE_URL` the intents go to the RabbitMQ notification
 * queues instead, for `clinicbridge-server worker` processes to send;
 * appointment and installment notifications then also go to
 * `push_notifications` for patients with a registered device. Intents a
 * sender's daily quota deferred are sent again by a job once their day has
 * come (deferred.ts).
 */
import { type AppContext, type Feature, readSection } from '../feature.ts';
import { pushConfig } from '../providers/push.ts';
import { defaultPushTemplates } from '../providers/push-templates.ts';
import { sendDeferredNotifications } from './deferred.ts';
import { sendThroughComposer } from './messaging.ts';
import { notificationQueueConfig } from './queue-config.ts';
import { sendThroughQueue } from './queue-send.ts';
import { type IntentPublisher, intentPublisher } from './queues.ts';
import { notificationsSubscriber, type SendNotification } from './subscriber.ts';

/**
 * The notifications feature (one per server: it owns the queue publisher).
 *
 * @example
 * const features: Feature[] = [notificationsFeature()];
 */
export function notificationsFeature(): Feature {
  let publisher: IntentPublisher | undefined;
  /** The send of this server: to the queues, through the composer, or none. */
  function sendOf(context: AppContext): SendNotification | undefined {
    const queues = readSection(context.config, notificationQueueConfig);
    if (queues.NOTIFICATIONS_QUEUE_URL) {
      publisher ??= intentPublisher({
        url: queues.NOTIFICATIONS_QUEUE_URL,
        prefix: queues.NOTIFICATIONS_QUEUE_PREFIX,
        timeoutMs: queues.NOTIFICATIONS_QUEUE_TIMEOUT,
      });
      const push = readSection(context.config, pushConfig);
      return sendThroughQueue(publisher, context.now, push.PUSH_TEMPLATES ?? defaultPushTemplates);
    }
    const { messaging } = context.providers;
    return messaging ? sendThroughComposer(messaging) : undefined;
  }
  return {
    name: 'notifications',
    tables: ['notification_intents'],
    config: notificationQueueConfig,
    subscribers: (context) => {
      const send = sendOf(context);
      return [notificationsSubscriber(send ? { send } : {})];
    },
    jobs: (context) => {
      const send = sendOf(context);
      // The server's clock, as the composer's quota days (the scheduler keeps its own).
      return send ? [() => sendDeferredNotifications(context.db, send, context.now())] : [];
    },
    start({ config, providers, logger }) {
      const queues = readSection(config, notificationQueueConfig);
      if (queues.NOTIFICATIONS_QUEUE_URL) {
        logger.info(
          { prefix: queues.NOTIFICATIONS_QUEUE_PREFIX },
          'notifications: intents are published to the RabbitMQ notification queues; run `clinicbridge-server worker` to send them',
        );
        return;
      }
      if (providers.messaging) return;
      logger.warn(
        'notifications: no messaging provider is configured (WHATSAPP_*, TWILIO_*, SENDGRID_*); intents are recorded, not sent',
      );
    },
    async stop() {
      await publisher?.close();
      publisher = undefined;
    },
  };
}
