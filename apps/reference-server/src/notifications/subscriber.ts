/**
 * Notifications subscriber: decides which events a patient should hear
 * about and records one intent per event and template (unique, so a
 * redelivered event adds nothing). When a messaging port is given, the
 * intent is sent through it (see `messaging.ts` for the adapters package's
 * `MessagingChannel`); without one, the intent is recorded for a sender to pick up.
 */
import { createHash } from 'node:crypto';
import type { EventEnvelope, EventType } from '@clinicbridge/sdk/contract';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { InternalSubscriber } from '../scheduler/subscriber.ts';

/**
 * Template chosen for each event type that notifies a patient.
 *
 * @example
 * notificationTemplates['visa.granted']; // 'visa_granted'
 */
export const notificationTemplates: Partial<Record<EventType, string>> = {
  'appointment.created': 'appointment_confirmation',
  'appointment.updated': 'appointment_changed',
  'appointment.cancelled': 'appointment_cancelled',
  'visa.granted': 'visa_granted',
  'visa.rejected': 'visa_rejected',
  'payment.received': 'payment_receipt',
  'flight.changed': 'flight_changed',
  'flight.cancelled': 'flight_cancelled',
  'stay.unavailable': 'stay_unavailable',
  'installment.overdue': 'installment_reminder',
};

/**
 * Sends a recorded intent inside the acknowledging transaction; resolves to
 * the provider's message id, to `{ queued: true }` when the intent was
 * handed to a notification queue (a worker sends it), to `{ deferredUntil }`
 * when the sender's daily quota is used up (the deferred-notifications job
 * sends it again then), or null when nothing was sent (no consent, no
 * contact, a template the channel does not know).
 *
 * @example
 * const send: SendNotification = async (intent) => ({ providerMessageId: await deliver(intent) });
 */
export type SendNotification = (
  intent: {
    id: string;
    tenantId: string;
    template: string;
    patientId: string | null;
    eventId: string;
  },
  context: { trx: Kysely<DB>; event: EventEnvelope },
) => Promise<SendResult | null>;

/**
 * What a {@link SendNotification} did with an intent.
 *
 * @example
 * const result: SendResult = { deferredUntil: new Date('2026-12-08T00:00:00Z') };
 */
export type SendResult = { providerMessageId: string } | { queued: true } | { deferredUntil: Date };

/**
 * Records what `send` did with intent `id` (nothing for null).
 *
 * @example
 * await recordSendResult(trx, 'ntf_1', { queued: true }, now);
 */
export async function recordSendResult(
  trx: Kysely<DB>,
  id: string,
  sent: SendResult | null,
  now: Date,
): Promise<void> {
  if (!sent) return;
  await trx
    .updateTable('notification_intents')
    .set(
      'queued' in sent
        ? { status: 'queued', not_before: null, updated_at: now }
        : 'deferredUntil' in sent
          ? { status: 'deferred', not_before: sent.deferredUntil, updated_at: now }
          : {
              status: 'sent',
              provider_message_id: sent.providerMessageId,
              not_before: null,
              updated_at: now,
            },
    )
    .where('id', '=', id)
    .execute();
}

/**
 * Creates the notifications subscriber.
 *
 * @example
 * const notifications = notificationsSubscriber(); // records intents only
 */
export function notificationsSubscriber(
  options: { send?: SendNotification } = {},
): InternalSubscriber {
  return {
    name: 'notifications',
    eventTypes: Object.keys(notificationTemplates) as EventType[],
    async handle(trx, event, { now }) {
      const template = notificationTemplates[event.type as EventType];
      if (!template) return;
      const patientId = typeof event.data.patientId === 'string' ? event.data.patientId : null;
      // One id per event and template, so a retried handling (say, after a
      // publish to a notification queue whose transaction then failed) reuses
      // the idempotency key of the first.
      const id = `ntf_${createHash('sha256').update(`${event.id}\0${template}`).digest('hex').slice(0, 32)}`;
      const inserted = await sql<{ id: string }>`
        insert into notification_intents (id, tenant_id, event_id, template, patient_id, status, created_at, updated_at)
        values (${id}, ${event.tenantId}, ${event.id}, ${template}, ${patientId}, 'recorded', ${now}, ${now})
        on conflict (event_id, template) do nothing returning id`.execute(trx);
      if (inserted.rows.length === 0 || !options.send) return;
      const sent = await options.send(
        { id, tenantId: event.tenantId, template, patientId, eventId: event.id },
        { trx, event },
      );
      await recordSendResult(trx, id, sent, now);
    },
  };
}
