/**
 * Inbound provider webhooks through the app: valid, tampered, expired,
 * replayed, unknown-provider and unparseable webhooks, then processing from
 * the bus (a Stripe payment marks the invoice paid and emits
 * `payment.received`; `visa.granted` is recorded and notifies the patient;
 * WhatsApp statuses update the notification).
 */
import { generateSecret, getScheme } from '@clinicbridge/webhooks';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { call, startTestApp, type TestApp } from '../../test/helpers/app.ts';
import { eventFeatures } from '../../test/helpers/features.ts';
import { invoiceBody, patientBody } from '../../test/helpers/fixtures.ts';
import { deliveryConfig } from '../delivery/config.ts';
import { inboundConfig } from './config.ts';
import { openRawBody } from './raw-body.ts';

const stripeSecret = `whsec_${'s'.repeat(32)}`;
const metaSecret = 'meta-app-secret-0123456789abcdef';
const visaSecret = generateSecret();
const nextVisaSecret = generateSecret();
const hotelsSecret = generateSecret();
const config = {
  ...deliveryConfig.parse({ WEBHOOK_DISPATCHER: 'false' }),
  ...inboundConfig.parse({
    INBOUND_PAYMENTS_SECRET: stripeSecret,
    INBOUND_WHATSAPP_SECRET: metaSecret,
    INBOUND_VISA_SECRET: `${visaSecret}, ${nextVisaSecret}`,
    INBOUND_HOTELS_SECRET: hotelsSecret,
  }),
};
const features = eventFeatures(config);
let t: TestApp;
let tenantId: string;
let token: string;

beforeAll(async () => {
  t = await startTestApp({ tenantCount: 1, deps: { features } });
  tenantId = t.tenants[0]?.tenantId as string;
  token = t.tenants[0]?.apiKey as string;
});
afterAll(() => t.close());

async function post(
  provider: string,
  body: string,
  headers: Record<string, string>,
): Promise<Response> {
  return t.app.request(`/webhooks/${provider}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

function stripeEvent(id: string, invoiceId: string, amount: number) {
  return JSON.stringify({
    id,
    type: 'payment_intent.succeeded',
    data: {
      object: { id: `pi_${id}`, amount, currency: 'eur', metadata: { tenantId, invoiceId } },
    },
  });
}

async function processAll(): Promise<void> {
  const { processInboundWebhooks } = await import('./processor.ts');
  while ((await processInboundWebhooks(t.database.db, new Date())) > 0) {}
}

describe('POST /webhooks/:provider', () => {
  test("finding 17: a hotel booking's guest data is stored encrypted and still processed", async () => {
    const patient = await (
      await call(t.app, 'POST', '/api/v1/patients', { token, body: patientBody() })
    ).json();
    const body = JSON.stringify({
      type: 'booking.confirmed',
      tenantId,
      entityType: 'booking',
      entityId: 'bk-guest-1',
      data: { bookingId: 'bk-guest-1', patientId: patient.id, kind: 'hotel', reference: 'HX42' },
      guest: { name: 'Zeynep Guestname', passport: 'U99887766', phone: '+905551234567' },
    });
    const headers = getScheme('standard').signSync({
      id: 'msg_booking_guest',
      payload: body,
      secret: hotelsSecret,
    });
    expect((await post('hotels', body, headers)).status).toBe(202);
    const stored = await t.database.db
      .selectFrom('inbound_webhooks')
      .selectAll()
      .where('provider_event_id', '=', 'msg_booking_guest')
      .executeTakeFirstOrThrow();
    for (const secret of ['Guestname', 'U99887766', '5551234567', 'bk-guest-1']) {
      expect(JSON.stringify(stored)).not.toContain(secret);
    }
    await processAll();
    const after = await t.database.db
      .selectFrom('inbound_webhooks')
      .select(['status', 'reason'])
      .where('id', '=', stored.id)
      .executeTakeFirstOrThrow();
    expect(after.status).toBe('processed');
  });

  test('a valid Stripe payment is stored, acknowledged, then marks the invoice paid and emits payment.received', async () => {
    const patient = await (
      await call(t.app, 'POST', '/api/v1/patients', { token, body: patientBody() })
    ).json();
    const invoice = await (
      await call(t.app, 'POST', '/api/v1/invoices', { token, body: invoiceBody(patient.id) })
    ).json();
    const body = stripeEvent('evt_stripe_paid_1', invoice.id, invoice.total.amount);
    const headers = getScheme('stripe').signSync({ payload: body, secret: stripeSecret });
    const res = await post('payments', body, headers);
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ received: true, duplicate: false });
    const stored = await t.database.db
      .selectFrom('inbound_webhooks')
      .selectAll()
      .where('provider_event_id', '=', 'evt_stripe_paid_1')
      .executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ status: 'received', raw_body_kid: 'test-1' });
    // Finding 17: the body is stored encrypted, and opens to what the provider sent.
    expect(stored.raw_body).not.toContain('evt_stripe_paid_1');
    expect(openRawBody(t.database.db, stored)).toBe(body);

    await processAll();
    const after = await (
      await call(t.app, 'GET', `/api/v1/invoices/${invoice.id}`, { token })
    ).json();
    expect(after.status).toBe('paid');
    const events = await t.database.db
      .selectFrom('events')
      .selectAll()
      .where('type', '=', 'payment.received')
      .execute();
    expect(events.map((e) => e.data.invoiceId)).toContain(invoice.id);
    const processed = await t.database.db
      .selectFrom('inbound_webhooks')
      .selectAll()
      .where('id', '=', stored.id)
      .executeTakeFirstOrThrow();
    expect(processed.status).toBe('processed');

    // The provider retries the same event: acknowledged, not processed twice.
    const replay = await post(
      'payments',
      body,
      getScheme('stripe').signSync({ payload: body, secret: stripeSecret }),
    );
    expect(replay.status).toBe(200);
    expect(await replay.json()).toMatchObject({ duplicate: true, id: stored.id });
    await processAll();
    const payments = await t.database.db
      .selectFrom('payments')
      .selectAll()
      .where('invoice_id', '=', invoice.id)
      .execute();
    expect(payments).toHaveLength(1);
  });

  test('a tampered body is refused with 401 and the verification code', async () => {
    const body = stripeEvent('evt_tampered', 'inv_aaaaaaaaaaaaaaaaaaaaaaaaaa', 100);
    const headers = getScheme('stripe').signSync({ payload: body, secret: stripeSecret });
    const res = await post('payments', body.replace('100', '1'), headers);
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const problem = await res.json();
    expect(problem).toMatchObject({
      code: 'webhook_verification_failed',
      errors: [{ code: 'invalid_signature' }],
    });
    const rows = await t.database.db
      .selectFrom('inbound_webhooks')
      .select('id')
      .where('provider_event_id', '=', 'evt_tampered')
      .execute();
    expect(rows).toHaveLength(0);
  });

  test('an expired signature is refused', async () => {
    const body = stripeEvent('evt_expired', 'inv_aaaaaaaaaaaaaaaaaaaaaaaaaa', 100);
    const headers = getScheme('stripe').signSync({
      payload: body,
      secret: stripeSecret,
      timestamp: Math.floor(Date.now() / 1000) - 3_600,
    });
    const res = await post('payments', body, headers);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ errors: [{ code: 'timestamp_too_old' }] });
  });

  test('missing signature headers are refused', async () => {
    const res = await post('visa', '{"type":"visa.granted"}', {});
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ errors: [{ code: 'missing_header' }] });
  });

  test('an unknown or unconfigured provider is a 404', async () => {
    for (const provider of ['acme', 'travel']) {
      const res = await post(provider, '{}', {});
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ code: 'not_found' });
    }
  });

  test('a payload that verifies but does not parse is stored with its reason and alerted, never dropped', async () => {
    const body = '{"type": "visa.granted", ';
    const headers = getScheme('standard').signSync({
      id: 'msg_broken_1',
      payload: body,
      secret: visaSecret,
    });
    const res = await post('visa', body, headers);
    expect(res.status).toBe(202);
    const row = await t.database.db
      .selectFrom('inbound_webhooks')
      .selectAll()
      .where('provider_event_id', '=', 'msg_broken_1')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      status: 'unparseable',
      reason: 'the body is not valid JSON',
      event_type: null,
      attempts: 0,
      // Kept for an operator, never attempted by the processor.
      next_attempt_at: null,
    });
    expect(row.received_at).toBeInstanceOf(Date);
    expect(openRawBody(t.database.db, row)).toBe(body);
    const alerts = await t.database.db
      .selectFrom('operator_alerts')
      .selectAll()
      .where('kind', '=', 'inbound_webhook_unparseable')
      .execute();
    expect(alerts.some((a) => a.details.inboundWebhookId === row.id)).toBe(true);
  });

  test('visa.granted (Standard Webhooks) advances the case, is recorded as a catalogue event and notifies the patient', async () => {
    const patient = await (
      await call(t.app, 'POST', '/api/v1/patients', { token, body: patientBody() })
    ).json();
    const body = JSON.stringify({
      type: 'visa.granted',
      tenantId,
      entityType: 'visa_case',
      entityId: 'case-42',
      data: {
        caseId: 'case-42',
        patientId: patient.id,
        country: 'TR',
        status: 'granted',
        previousStatus: 'submitted',
      },
    });
    const headers = getScheme('standard').signSync({
      id: 'msg_visa_42',
      payload: body,
      secret: visaSecret,
    });
    expect((await post('visa', body, headers)).status).toBe(202);
    await processAll();
    const event = await t.database.db
      .selectFrom('events')
      .selectAll()
      .where('type', '=', 'visa.granted')
      .executeTakeFirstOrThrow();
    expect(event).toMatchObject({ entity_id: 'case-42', tenant_id: tenantId });
    // The case advanced.
    expect(
      await t.database.db
        .selectFrom('provider_entities')
        .select(['provider', 'entity_type', 'status', 'last_event_type'])
        .where('tenant_id', '=', tenantId)
        .where('entity_id', '=', 'case-42')
        .execute(),
    ).toEqual([
      {
        provider: 'visa',
        entity_type: 'visa_case',
        status: 'granted',
        last_event_type: 'visa.granted',
      },
    ]);
    const { fanOutEvents } = await import('../scheduler/fanout.ts');
    const { processInbox } = await import('../scheduler/inbox.ts');
    const { notificationsSubscriber } = await import('../notifications/subscriber.ts');
    const notifications = notificationsSubscriber();
    await fanOutEvents(t.database.db, [notifications], new Date());
    await processInbox(t.database.db, notifications, new Date());
    const intent = await t.database.db
      .selectFrom('notification_intents')
      .selectAll()
      .where('event_id', '=', event.id)
      .executeTakeFirstOrThrow();
    expect(intent).toMatchObject({
      template: 'visa_granted',
      patient_id: patient.id,
      status: 'recorded',
    });
  });

  test('a type the provider may not send is marked failed with its reason', async () => {
    const body = JSON.stringify({ type: 'payment.received', tenantId, data: {} });
    const headers = getScheme('standard').signSync({
      id: 'msg_wrong_type',
      payload: body,
      secret: visaSecret,
    });
    expect((await post('visa', body, headers)).status).toBe(202);
    await processAll();
    const row = await t.database.db
      .selectFrom('inbound_webhooks')
      .selectAll()
      .where('provider_event_id', '=', 'msg_wrong_type')
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('failed');
    expect(row.reason).toMatch(/^visa may send visa\.status_changed/);
  });

  test('a WhatsApp delivery status updates the notification and emits message.delivered', async () => {
    const now = new Date();
    await t.database.db
      .insertInto('notification_intents')
      .values({
        id: 'ntf_whatsapp_1',
        tenant_id: tenantId,
        event_id: 'evt_for_whatsapp_test_0001',
        template: 'appointment_confirmation',
        patient_id: null,
        status: 'sent',
        provider_message_id: 'wamid.HBgLMTIzNDU2Nzg5MA',
        created_at: now,
        updated_at: now,
      })
      .execute();
    const body = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '1',
          changes: [
            {
              field: 'messages',
              value: {
                statuses: [
                  { id: 'wamid.HBgLMTIzNDU2Nzg5MA', status: 'delivered', timestamp: '1700000000' },
                ],
              },
            },
          ],
        },
      ],
    });
    const headers = getScheme('meta').signSync({ payload: body, secret: metaSecret });
    expect((await post('whatsapp', body, headers)).status).toBe(202);
    expect(
      (
        await post(
          'whatsapp',
          body,
          getScheme('meta').signSync({ payload: body, secret: metaSecret }),
        )
      ).status,
    ).toBe(200);
    await processAll();
    const intent = await t.database.db
      .selectFrom('notification_intents')
      .selectAll()
      .where('id', '=', 'ntf_whatsapp_1')
      .executeTakeFirstOrThrow();
    expect(intent.status).toBe('delivered');
    const events = await t.database.db
      .selectFrom('events')
      .selectAll()
      .where('type', '=', 'message.delivered')
      .execute();
    expect(events).toHaveLength(1);
    expect(events[0]?.data).toMatchObject({ messageId: 'ntf_whatsapp_1', channel: 'whatsapp' });
  });

  test('operators see what did not go through, and can run a failed webhook again once its cause is fixed', async () => {
    const { listInboundWebhooks, listOpenAlerts, resolveAlert, retryInboundWebhook } = await import(
      './console.ts'
    );
    const stuck = await listInboundWebhooks(t.database.db);
    expect(stuck.map((w) => [w.providerEventId, w.status])).toEqual(
      expect.arrayContaining([
        ['msg_broken_1', 'unparseable'],
        ['msg_wrong_type', 'failed'],
      ]),
    );
    expect(JSON.stringify(stuck)).not.toContain('raw');
    const unparseable = stuck.find((w) => w.status === 'unparseable');
    expect(await retryInboundWebhook(t.database.db, unparseable?.id as string, new Date())).toBe(
      false,
    );
    const failed = stuck.find((w) => w.providerEventId === 'msg_wrong_type');
    expect(await retryInboundWebhook(t.database.db, failed?.id as string, new Date())).toBe(true);
    await processAll();
    const [again] = await listInboundWebhooks(t.database.db, { statuses: ['failed'] });
    expect(again).toMatchObject({ providerEventId: 'msg_wrong_type', attempts: 1 });
    const alerts = await listOpenAlerts(t.database.db);
    expect(alerts.some((a) => a.kind === 'inbound_webhook_unparseable')).toBe(true);
    expect(await resolveAlert(t.database.db, alerts[0]?.id as string, new Date())).toBe(true);
    expect(await resolveAlert(t.database.db, alerts[0]?.id as string, new Date())).toBe(false);
  });

  test('during a rotation, a webhook signed with either configured secret is accepted', async () => {
    const body = JSON.stringify({
      type: 'visa.status_changed',
      tenantId,
      data: { caseId: 'c-9', country: 'TR', status: 'submitted' },
    });
    const res = await post(
      'visa',
      body,
      getScheme('standard').signSync({
        id: 'msg_rotated_1',
        payload: body,
        secret: nextVisaSecret,
      }),
    );
    expect(res.status).toBe(202);
    const other = await post(
      'visa',
      body,
      getScheme('standard').signSync({
        id: 'msg_rotated_2',
        payload: body,
        secret: generateSecret(),
      }),
    );
    expect(other.status).toBe(401);
  });
});
