/**
 * What leaves the platform for the CRM: the exact field list per event
 * type, pinned here so a change to it is a reviewed change to this test.
 * Every field is a marketing field of the event's catalogue shape (ids,
 * statuses, dates, amounts, country); clinical or identifying content an
 * event may carry — services, reasons, visa reason codes, notes, names,
 * contact details — is dropped before the record is queued.
 */
import { type EventEnvelope, type EventType, eventDataSchemas } from '@clinicbridge/sdk/contract';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { crmFields, crmSyncSubscriber } from './subscriber.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(() => database.close());

/** The complete list of what may go to a CRM. */
const EXPECTED: Record<string, readonly string[]> = {
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

/** Content that must never reach a CRM, whatever an event carries. */
const NEVER = [
  'service',
  'reason',
  'reasonCodes',
  'notes',
  'diagnosis',
  'procedure',
  'description',
  'givenName',
  'familyName',
  'email',
  'phone',
  'visaNumber',
  'documents',
];

describe('the CRM field list', () => {
  test('is exactly this, event type by event type', () => {
    expect(crmFields).toEqual(EXPECTED);
  });

  test('names only fields of each event type in the catalogue, none of them clinical or identifying', () => {
    for (const [type, fields] of Object.entries(crmFields)) {
      const shape = (eventDataSchemas[type as EventType] as unknown as { shape: object }).shape;
      for (const field of fields ?? []) {
        expect(Object.keys(shape), `${type}.${field}`).toContain(field);
        expect(NEVER, `${type}.${field}`).not.toContain(field);
      }
    }
  });

  test('a queued record holds the listed fields only, whatever else the event carries', async () => {
    const subscriber = crmSyncSubscriber();
    const now = new Date('2026-12-01T10:00:00Z');
    const extras = Object.fromEntries(NEVER.map((field) => [field, `secret-${field}`]));
    const events: EventEnvelope[] = [
      {
        id: 'evt_crmfieldsappointment000001',
        type: 'appointment.cancelled',
        tenantId: 'ten_crmfieldstenant0000000001',
        entityType: 'appointment',
        entityId: 'apt_crmfields0000000000000001',
        occurredAt: now.toISOString(),
        data: {
          appointmentId: 'apt_crmfields0000000000000001',
          patientId: 'pat_crmfields0000000000000001',
          status: 'cancelled',
          startsAt: '2026-12-02T09:00:00Z',
          endsAt: '2026-12-02T09:30:00Z',
          ...extras,
        },
      } as unknown as EventEnvelope,
      {
        id: 'evt_crmfieldsvisa0000000000001',
        type: 'visa.rejected',
        tenantId: 'ten_crmfieldstenant0000000001',
        entityType: 'visa_application',
        entityId: 'vsa_crmfields0000000000000001',
        occurredAt: now.toISOString(),
        data: {
          applicationId: 'vsa_crmfields0000000000000001',
          caseId: 'case_crm_1',
          patientId: 'pat_crmfields0000000000000001',
          country: 'TR',
          status: 'rejected',
          previousStatus: 'in_review',
          ...extras,
          reasonCodes: ['medical_justification'],
        },
      } as unknown as EventEnvelope,
    ];
    for (const event of events) await subscriber.handle(database.db, event, { now });
    const rows = await database.db
      .selectFrom('crm_sync_records')
      .select(['event_id', 'fields'])
      .where(
        'event_id',
        'in',
        events.map((e) => e.id),
      )
      .orderBy('event_id')
      .execute();
    expect(rows).toEqual([
      {
        event_id: 'evt_crmfieldsappointment000001',
        fields: {
          eventType: 'appointment.cancelled',
          appointmentId: 'apt_crmfields0000000000000001',
          patientId: 'pat_crmfields0000000000000001',
          status: 'cancelled',
        },
      },
      {
        event_id: 'evt_crmfieldsvisa0000000000001',
        fields: {
          eventType: 'visa.rejected',
          caseId: 'case_crm_1',
          patientId: 'pat_crmfields0000000000000001',
          country: 'TR',
          status: 'rejected',
        },
      },
    ]);
    expect(JSON.stringify(rows)).not.toContain('secret-');
    expect(JSON.stringify(rows)).not.toContain('medical_justification');
  });
});
