/**
 * The internal subscribers the server runs by default.
 */
import type { InternalSubscriber } from '../subscriber.ts';
import { analyticsSubscriber } from './analytics.ts';
import { crmSyncSubscriber } from './crm.ts';
import { notificationsSubscriber, type SendNotification } from './notifications.ts';
import { reportingSubscriber } from './reporting.ts';

/**
 * Notifications, reporting, analytics export and CRM sync.
 *
 * @example
 * const subscribers = defaultSubscribers({ analyticsKey: process.env.ANALYTICS_PSEUDONYM_KEY });
 */
export function defaultSubscribers(
  options: { analyticsKey?: string | undefined; sendNotification?: SendNotification } = {},
): InternalSubscriber[] {
  return [
    notificationsSubscriber(options.sendNotification ? { send: options.sendNotification } : {}),
    reportingSubscriber(),
    analyticsSubscriber({ key: options.analyticsKey }),
    crmSyncSubscriber(),
  ];
}

export { analyticsSubscriber, crmSyncSubscriber, notificationsSubscriber, reportingSubscriber };
