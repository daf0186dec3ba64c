/**
 * CRM sync subscriber: queues the non-clinical fields of commercial events
 * for the CRM (bookings, statuses, amounts). Clinical content — services,
 * visit details, claims, cancellation reasons — never goes to a CRM.
 */
import type { EventType } from '@clinicbridge/sdk/contract';
import type { InternalSubscriber } from '../scheduler/subscriber.ts';

/**
 * The fields sent to the CRM, per event type.
 *
 * @example
 * crmFields['appointment.created']; // ['appointmentId', 'patientId', 'status', 'startsAt', 'endsAt']
 */
export const crmFields: Partial<Record<EventType, readonly string[]>> = {
  'appointment.created': ['appointmentId', 'patientId', 'status', 'startsAt', 'endsAt'],
  'appointment.updated': ['appointmentId', 'patientId', 'status', 'startsAt', 'endsAt'],
  'appointment.cancelled': ['appointmentId', 'patientId', 'status'],
  'appointment.completed': ['appointmentId', 'patientId', 'status'],
  'invoice.created': ['invoiceId', 'patientId', 'total', 'balance', 'dueDate'],
  'payment.received': ['paymentId', 'invoiceId', 'amount', 'invoiceBalance'],
  'refund.issued': ['refundId', 'paymentId', 'invoiceId', 'amount'],
  'booking.confirmed': ['bookingId', 'patientId', 'kind', 'reference'],
  'visa.granted': ['caseId', 'patientId', 'country', 'status'],
  'visa.rejected': ['caseId', 'patientId', 'country', 'status'],
};

/**
 * Creates the CRM sync subscriber.
 *
 * @example
 * const crm = crmSyncSubscriber();
 */
export function crmSyncSubscriber(): InternalSubscriber {
  return {
    name: 'crm-sync',
    eventTypes: Object.keys(crmFields) as EventType[],
    async handle(trx, event, { now }) {
      const allowed = crmFields[event.type as EventType] ?? [];
      const fields: Record<string, unknown> = { eventType: event.type };
      for (const field of allowed) if (field in event.data) fields[field] = event.data[field];
      await trx
        .insertInto('crm_sync_records')
        .values({
          event_id: event.id,
          tenant_id: event.tenantId,
          entity_type: event.entityType,
          entity_id: event.entityId,
          fields: JSON.stringify(fields),
          status: 'queued',
          created_at: now,
        })
        .onConflict((oc) => oc.column('event_id').doNothing())
        .execute();
    },
  };
}
