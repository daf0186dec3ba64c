/**
 * Hands notification intents to the queues instead of a provider (when
 * `NOTIFICATIONS_QUEUE_URL` is set): the same consent and contact checks
 * as the in-process path, then one intent (see intent.ts for what it
 * carries) on `sms_notifications` when the patient has a phone (WhatsApp and
 * SMS), else on `email_notifications`; and, when the template has a push
 * text (providers/push-templates.ts) and the patient a registered device,
 * one more on `push_notifications` under the same intent id (the worker
 * keeps push sends apart in its inbox). The publish happens inside the
 * subscriber's transaction and waits for the broker's confirm, so a broker
 * outage fails the handling and the event is retried with back-off;
 * a publish whose transaction then fails is repeated under the same intent
 * id, which the worker's inbox sends once.
 */
import { hasDevices } from '../patients/devices.ts';
import { type PushTemplates, renderPush } from '../providers/push-templates.ts';
import type { NotificationIntent } from './intent.ts';
import { recipientOf, variablesOf } from './messaging.ts';
import type { IntentPublisher } from './queues.ts';
import type { SendNotification } from './subscriber.ts';

/**
 * A {@link SendNotification} that publishes to the notification queues.
 *
 * @example
 * const notifications = notificationsSubscriber({ send: sendThroughQueue(intentPublisher(target)) });
 */
export function sendThroughQueue(
  publisher: IntentPublisher,
  now: () => Date = () => new Date(),
  pushTemplates: PushTemplates | null = null,
): SendNotification {
  return async (intent, { trx, event }) => {
    const patient = await recipientOf(trx, intent);
    if (!patient || !intent.patientId) return null;
    const common = {
      v: 1 as const,
      intentId: intent.id,
      tenantId: intent.tenantId,
      eventId: intent.eventId,
      subjectRef: intent.patientId,
      template: intent.template,
      locale: patient.preferred_language,
      variables: variablesOf(event.data, patient.given_name),
      createdAt: now().toISOString(),
    };
    const messages: NotificationIntent[] = [];
    if (patient.phone)
      messages.push({ ...common, queue: 'sms_notifications', to: { phone: patient.phone } });
    else if (patient.email)
      messages.push({ ...common, queue: 'email_notifications', to: { email: patient.email } });
    const text = pushTemplates
      ? renderPush(pushTemplates, intent.template, common.locale, common.variables)
      : null;
    if (text && (await hasDevices(trx, intent.tenantId, intent.patientId)))
      messages.push({ ...common, queue: 'push_notifications', ...text });
    if (messages.length === 0) return null;
    for (const message of messages) await publisher.publish(message);
    return { queued: true };
  };
}
