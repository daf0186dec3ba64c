/**
 * The internal subscribers the server runs by default.
 */

import { analyticsSubscriber } from '../analytics/subscriber.ts';
import { crmSyncSubscriber } from '../crm/subscriber.ts';
import { notificationsSubscriber, type SendNotification } from '../notifications/subscriber.ts';
import { reportingSubscriber } from '../reporting/subscriber.ts';
import type { InternalSubscriber } from './subscriber.ts';

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
