/**
 * Internal subscribers fed by the bus: each has its own inbox and
 * acknowledgement, a failing one neither blocks the others nor loses its
 * events, and their outputs hold no PII or clinical text.
 */

import type { MessagingChannel, TemplatedMessage } from '@clinicbridge/adapters';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { createPseudonymiser } from '../analytics/pseudonymiser.ts';
import { analyticsSubscriber } from '../analytics/subscriber.ts';
import { crmSyncSubscriber } from '../crm/subscriber.ts';
import { recordEvent } from '../kernel/outbox.ts';
import { reportingSubscriber } from '../reporting/subscriber.ts';
import { fanOutEvents } from '../scheduler/fanout.ts';
import { MAX_INBOX_ATTEMPTS, processInbox } from '../scheduler/inbox.ts';
import type { InternalSubscriber } from '../scheduler/subscriber.ts';
import { sendThroughChannel } from './messaging.ts';
import { notificationsSubscriber } from './subscriber.ts';

let database: TestDatabase;
const tenantId = 'ten_subscriberstenant00000001';
const patientId = 'pat_subscriberspatient000001';
const appointmentId = 'apt_subscribersappointment01';

beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(() => database.close());

async function record(type: 'appointment.created' | 'payment.received', n: number) {
  return database.db.transaction().execute((trx) =>
    type === 'appointment.created'
      ? recordEvent(trx, {
          tenantId,
          type,
          entityType: 'appointment',
          entityId: appointmentId,
          data: {
            appointmentId,
            patientId,
            status: 'scheduled',
            startsAt: '2026-11-23T09:00:00Z',
            endsAt: '2026-11-23T09:30:00Z',
          },
          occurredAt: new Date('2026-11-22T10:00:00Z'),
        })
      : recordEvent(trx, {
          tenantId,
          type,
          entityType: 'payment',
          entityId: `pay_subscriberspayment00000${n}`,
          data: {
            paymentId: `pay_subscriberspayment00000${n}`,
            invoiceId: 'inv_subscribersinvoice000001',
            amount: { amount: 1_000 * n, currency: 'EUR' },
            method: 'card',
            invoiceBalance: { amount: 0, currency: 'EUR' },
          },
          occurredAt: new Date('2026-11-22T11:00:00Z'),
        }),
  );
}

async function drain(subscribers: InternalSubscriber[], now = new Date()) {
  while ((await fanOutEvents(database.db, subscribers, now)) > 0) {}
  for (const s of subscribers) while ((await processInbox(database.db, s, now)) > 0) {}
}

describe('internal subscribers', () => {
  test('each gets its events once, acknowledges them, and writes only non-identifying data', async () => {
    const pseudonymiser = createPseudonymiser('analytics-key-for-tests');
    const subscribers = [
      notificationsSubscriber(),
      reportingSubscriber(),
      analyticsSubscriber({ pseudonymiser }),
      crmSyncSubscriber(),
    ];
    const appointment = await record('appointment.created', 0);
    await record('payment.received', 1);
    await record('payment.received', 2);
    await drain(subscribers);
    // A second pass finds nothing: every inbox row was acknowledged.
    await drain(subscribers);

    const intents = await database.db.selectFrom('notification_intents').selectAll().execute();
    expect(intents.map((i) => i.template).sort()).toEqual([
      'appointment_confirmation',
      'payment_receipt',
      'payment_receipt',
    ]);
    expect(intents.find((i) => i.event_id === appointment.id)?.patient_id).toBe(patientId);

    const report = await database.db
      .selectFrom('report_daily')
      .selectAll()
      .where('event_type', '=', 'payment.received')
      .execute();
    expect(report).toEqual([
      expect.objectContaining({
        day: '2026-11-22',
        currency: 'EUR',
        event_count: 2,
        amount: 3_000,
      }),
    ]);

    const analytics = await database.db.selectFrom('analytics_events').selectAll().execute();
    expect(analytics).toHaveLength(3);
    const text = JSON.stringify(analytics);
    for (const secret of [tenantId, patientId, appointmentId, 'Implant consultation'])
      expect(text).not.toContain(secret);
    expect(analytics.map((row) => (row.data as { patientId?: string }).patientId)).toContain(
      pseudonymiser.pseudonym(tenantId, patientId),
    );

    const crm = await database.db
      .selectFrom('crm_sync_records')
      .selectAll()
      .where('event_id', '=', appointment.id)
      .executeTakeFirstOrThrow();
    expect(crm.fields).toEqual({
      eventType: 'appointment.created',
      appointmentId,
      patientId,
      status: 'scheduled',
      startsAt: '2026-11-23T09:00:00Z',
      endsAt: '2026-11-23T09:30:00Z',
    });
    const done = await database.db
      .selectFrom('subscriber_inbox')
      .select('status')
      .distinct()
      .execute();
    expect(done).toEqual([{ status: 'done' }]);
  });

  test('a failing subscriber retries on a backoff, then parks the event as dead with an alert, without holding back others', async () => {
    let calls = 0;
    const flaky: InternalSubscriber = {
      name: 'flaky',
      eventTypes: ['payment.received'],
      async handle(trx) {
        calls++;
        // Its write must roll back with the failure.
        await trx
          .insertInto('operator_alerts')
          .values({
            id: `alr_flaky${calls}`,
            tenant_id: null,
            kind: 'should-roll-back',
            message: '',
            details: '{}',
            created_at: new Date(),
            resolved_at: null,
          })
          .execute();
        throw new Error('downstream unavailable');
      },
    };
    const reporting = reportingSubscriber();
    await record('payment.received', 3);
    const t0 = Date.UTC(2026, 10, 22, 12, 0, 0);
    await drain([flaky, reporting], new Date(t0));
    expect(calls).toBe(1);
    const row = await database.db
      .selectFrom('subscriber_inbox')
      .selectAll()
      .where('subscriber', '=', 'flaky')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      status: 'pending',
      attempts: 1,
      last_error: 'downstream unavailable',
    });
    expect(row.next_attempt_at.getTime()).toBe(t0 + 2_000);
    // Reporting went ahead regardless.
    const reported = await database.db
      .selectFrom('report_daily')
      .select('event_count')
      .where('event_type', '=', 'payment.received')
      .executeTakeFirstOrThrow();
    expect(reported.event_count).toBe(3);
    for (let i = 0; i < MAX_INBOX_ATTEMPTS; i++)
      await processInbox(database.db, flaky, new Date(t0 + 10 * 3_600_000 * (i + 1)));
    const dead = await database.db
      .selectFrom('subscriber_inbox')
      .selectAll()
      .where('subscriber', '=', 'flaky')
      .executeTakeFirstOrThrow();
    expect(dead).toMatchObject({ status: 'dead', attempts: MAX_INBOX_ATTEMPTS });
    const alerts = await database.db.selectFrom('operator_alerts').selectAll().execute();
    expect(alerts.filter((a) => a.kind === 'should-roll-back')).toHaveLength(0);
    expect(alerts.filter((a) => a.kind === 'subscriber_event_dead')).toHaveLength(1);
  });

  test('notifications go out through a messaging channel, once, only to patients who consented', async () => {
    const sent: TemplatedMessage[] = [];
    const channel: MessagingChannel = {
      channel: 'whatsapp',
      provider: 'fake',
      encrypted: true,
      supports: (template) => template === 'appointment_confirmation',
      send: async (message) => {
        sent.push(message);
        return {
          channel: 'whatsapp',
          provider: 'fake',
          providerMessageId: `wamid.${sent.length}`,
          status: 'accepted',
        };
      },
    };
    const now = new Date();
    const patient = (id: string, consent: boolean) => ({
      id,
      tenant_id: tenantId,
      given_name: 'Ayşe',
      family_name: 'Yılmaz',
      birth_date: null,
      email: null,
      phone: '+905551112233',
      external_ref: null,
      preferred_language: 'tr',
      country_code: 'TR',
      consent_messaging: consent,
      consent_marketing: false,
      created_at: now,
      updated_at: now,
    });
    await database.db
      .insertInto('tenants')
      .values({ id: tenantId, name: 'Messaging clinic', created_at: now })
      .execute();
    await database.db
      .insertInto('patients')
      .values([
        patient('pat_messagingconsented00001', true),
        patient('pat_messagingnoconsent00001', false),
      ])
      .execute();
    const appointmentFor = (patientId: string) =>
      database.db.transaction().execute((trx) =>
        recordEvent(trx, {
          tenantId,
          type: 'appointment.created',
          entityType: 'appointment',
          entityId: appointmentId,
          data: {
            appointmentId,
            patientId: patientId as `pat_${string}`,
            status: 'scheduled',
            startsAt: '2026-11-24T09:00:00Z',
            endsAt: '2026-11-24T09:30:00Z',
          },
        }),
      );
    const consented = await appointmentFor('pat_messagingconsented00001');
    const refused = await appointmentFor('pat_messagingnoconsent00001');
    const notifications = notificationsSubscriber({ send: sendThroughChannel(channel) });
    await drain([notifications]);
    expect(sent).toHaveLength(1);
    const intent = await database.db
      .selectFrom('notification_intents')
      .selectAll()
      .where('event_id', '=', consented.id)
      .executeTakeFirstOrThrow();
    expect(sent[0]).toMatchObject({
      to: '+905551112233',
      template: 'appointment_confirmation',
      locale: 'tr',
      idempotencyKey: intent.id,
      variables: { givenName: 'Ayşe', startsAt: '2026-11-24T09:00:00Z' },
    });
    expect(JSON.stringify(sent[0])).not.toContain('Implant');
    expect(intent).toMatchObject({ status: 'sent', provider_message_id: 'wamid.1' });
    const skipped = await database.db
      .selectFrom('notification_intents')
      .selectAll()
      .where('event_id', '=', refused.id)
      .executeTakeFirstOrThrow();
    expect(skipped.status).toBe('recorded');
    // Delivered again (at-least-once): the intent exists, nothing is sent twice.
    await database.db
      .updateTable('subscriber_inbox')
      .set({ status: 'pending' })
      .where('event_id', '=', consented.id)
      .execute();
    await drain([notifications]);
    expect(sent).toHaveLength(1);
  });
});
