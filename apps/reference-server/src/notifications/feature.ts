/**
 * The notifications feature: events a patient should hear about become
 * notification intents, sent through the messaging composer (WhatsApp →
 * SMS → email, then a manual task) when a messaging provider is configured.
 * Without one, intents are recorded only, and the start-up log says so.
 */
import type { Feature } from '../feature.ts';
import { sendThroughComposer } from './messaging.ts';
import { notificationsSubscriber } from './subscriber.ts';

/**
 * The notifications feature.
 *
 * @example
 * const features: Feature[] = [notificationsFeature];
 */
export const notificationsFeature: Feature = {
  name: 'notifications',
  tables: ['notification_intents'],
  subscribers: ({ providers }) => [
    notificationsSubscriber(
      providers.messaging ? { send: sendThroughComposer(providers.messaging) } : {},
    ),
  ],
  start({ providers, logger }) {
    if (providers.messaging) return;
    logger.warn(
      'notifications: no messaging provider is configured (WHATSAPP_*, TWILIO_*, SENDGRID_*); intents are recorded, not sent',
    );
  },
};
